//! Ways and dense nodes read straight from a block's wire form, without
//! building `osmpbf`'s `PrimitiveBlock` (a vector per way, per tag list, per
//! packed field): the string table as byte slices checked once, the packed
//! fields walked where they lie.
//!
//! The reader gives exactly what `osmpbf` (on rust-protobuf) gives for the
//! same block, or nothing: any block it does not read the usual way — plain
//! `Node` messages, relations or change sets, a field written twice or
//! unpacked where writers pack it, a number rust-protobuf would refuse or
//! an arithmetic overflow — makes [`Block::new`], [`Block::ways`] or
//! [`Block::dense`] answer `None`, and the caller parses the block with
//! `osmpbf` instead (the reference). So every block `osmpbf` refuses is
//! refused here too, and every block read here reads as `osmpbf` reads it.

/// A varint at `at` (moved past it); `None` past the end, over 10 bytes,
/// or with a 10th byte over 1 (what rust-protobuf refuses). Always
/// inlined: it runs for every number of the extract.
#[inline(always)]
fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let first = *bytes.get(*at)?;
    if first < 0x80 {
        *at += 1;
        return Some(u64::from(first));
    }
    let mut value = 0u64;
    for shift in 0..10 {
        let b = *bytes.get(*at)?;
        *at += 1;
        if shift == 9 && b > 1 {
            return None;
        }
        value |= u64::from(b & 0x7f) << (7 * shift);
        if b < 0x80 {
            return Some(value);
        }
    }
    None
}

/// How a number field is checked: as rust-protobuf reads it, or more
/// strictly (a stricter check only sends the block to `osmpbf`).
#[derive(Clone, Copy)]
enum Int {
    /// `int64`, `uint64`, `sint64`.
    Any,
    /// `uint32`, `sint32`, `bool`: at most 5 bytes and 32 bits.
    U32,
    /// `int32`: a 64-bit number within the 32-bit range.
    I32,
}

#[inline]
fn number(bytes: &[u8], at: &mut usize, int: Int) -> Option<u64> {
    let start = *at;
    let v = varint(bytes, at)?;
    let ok = match int {
        Int::Any => true,
        Int::U32 => *at - start <= 5 && v <= u64::from(u32::MAX),
        Int::I32 => i32::try_from(v as i64).is_ok(),
    };
    ok.then_some(v)
}

/// Every number of a packed field is sound.
fn packed_ok(body: &[u8], int: Int) -> bool {
    let mut at = 0;
    while at < body.len() {
        if number(body, &mut at, int).is_none() {
            return false;
        }
    }
    true
}

/// A field's body.
enum Value<'a> {
    Number(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// The next field of a message at `at`: its number and body; `None` when
/// the bytes are not protobuf.
#[inline]
fn field<'a>(bytes: &'a [u8], at: &mut usize) -> Option<(u64, Value<'a>)> {
    let key = number(bytes, at, Int::U32)?;
    let number = key >> 3;
    if number == 0 {
        return None;
    }
    let value = match key & 7 {
        0 => Value::Number(varint(bytes, at)?),
        1 | 5 => {
            let len = if key & 7 == 1 { 8 } else { 4 };
            *at = at.checked_add(len).filter(|&e| e <= bytes.len())?;
            Value::Fixed
        }
        2 => {
            let len = usize::try_from(varint(bytes, at)?).ok()?;
            let end = at.checked_add(len).filter(|&e| e <= bytes.len())?;
            let body = &bytes[*at..end];
            *at = end;
            Value::Bytes(body)
        }
        _ => return None,
    };
    Some((number, value))
}

/// The fields of a message, `each` answering `None` to give up; `None`
/// when the bytes are not protobuf or `each` gave up.
fn fields<'a>(bytes: &'a [u8], mut each: impl FnMut(u64, Value<'a>) -> Option<()>) -> Option<()> {
    let mut at = 0;
    while at < bytes.len() {
        let (number, value) = field(bytes, &mut at)?;
        each(number, value)?;
    }
    Some(())
}

/// A number field of a message (unpacked, or packed when `packed`) checked
/// as `int` reads it; other wire types are unknown fields to rust-protobuf.
fn check(value: &Value<'_>, int: Int, packed: bool) -> Option<()> {
    match value {
        Value::Number(v) => {
            let ok = match int {
                Int::Any => true,
                Int::U32 => *v <= u64::from(u32::MAX),
                Int::I32 => i32::try_from(*v as i64).is_ok(),
            };
            ok.then_some(())
        }
        Value::Bytes(b) if packed => packed_ok(b, int).then_some(()),
        _ => Some(()),
    }
}

/// `Info` (of a way): every field as rust-protobuf reads it.
fn info_ok(bytes: &[u8]) -> Option<()> {
    fields(bytes, |number, value| match number {
        1 | 4 => check(&value, Int::I32, false),
        5 | 6 => check(&value, Int::U32, false),
        _ => Some(()),
    })
}

/// `DenseInfo`: every packed field as rust-protobuf reads it.
fn dense_info_ok(bytes: &[u8]) -> Option<()> {
    fields(bytes, |number, value| match number {
        1 => check(&value, Int::I32, true),
        2 | 3 => check(&value, Int::Any, true),
        4..=6 => check(&value, Int::U32, true),
        _ => Some(()),
    })
}

/// Sets `slot` to a packed field's body: `None` when met twice or
/// unpacked (the reader takes one packed run per field, as writers write).
fn once<'a>(slot: &mut Option<&'a [u8]>, value: Value<'a>) -> Option<()> {
    match value {
        Value::Bytes(b) if slot.is_none() => {
            *slot = Some(b);
            Some(())
        }
        Value::Bytes(_) | Value::Number(_) => None,
        Value::Fixed => Some(()),
    }
}

/// A data block's string table and coordinates, and its groups unread.
pub struct Block<'a> {
    /// Each string, `None` when not UTF-8 (a tag naming it ends the tag
    /// list there, as in `osmpbf`).
    strings: Vec<Option<&'a str>>,
    granularity: i64,
    lat_offset: i64,
    lon_offset: i64,
    groups: Vec<&'a [u8]>,
}

/// A way of a [`Block`]: its id, and its tags and node ids still packed.
pub struct Way<'a, 'b> {
    block: &'b Block<'a>,
    pub id: i64,
    keys: &'a [u8],
    vals: &'a [u8],
    refs: &'a [u8],
}

impl<'a> Way<'a, '_> {
    /// Its tags, as `osmpbf` gives them: up to the first key or value
    /// missing from the string table or not UTF-8.
    pub fn tags(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        let (mut k, mut v) = (0, 0);
        std::iter::from_fn(move || {
            let key = varint(self.keys, &mut k)?;
            let val = varint(self.vals, &mut v)?;
            Some((self.block.string(key)?, self.block.string(val)?))
        })
    }

    /// Its node ids (checked by [`Block::ways`]: the sums do not overflow).
    pub fn refs(&self) -> impl Iterator<Item = i64> + '_ {
        let (mut at, mut id) = (0, 0i64);
        std::iter::from_fn(move || {
            let delta = varint(self.refs, &mut at)?;
            id = id.wrapping_add(zigzag(delta));
            Some(id)
        })
    }
}

#[inline]
fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

impl<'a> Block<'a> {
    /// The block's string table and coordinates; `None` when it is not
    /// one this reader takes (see the module's text).
    pub fn new(bytes: &'a [u8]) -> Option<Block<'a>> {
        let mut table: Option<&'a [u8]> = None;
        let mut block = Block {
            strings: Vec::new(),
            granularity: 100,
            lat_offset: 0,
            lon_offset: 0,
            groups: Vec::new(),
        };
        fields(bytes, |number, value| {
            match (number, value) {
                (1, value @ Value::Bytes(_)) => once(&mut table, value)?,
                (2, Value::Bytes(g)) => block.groups.push(g),
                (17, Value::Number(v)) => {
                    block.granularity = i64::from(i32::try_from(v as i64).ok()?);
                }
                (18, value @ Value::Number(_)) => check(&value, Int::I32, false)?,
                (19, Value::Number(v)) => block.lat_offset = v as i64,
                (20, Value::Number(v)) => block.lon_offset = v as i64,
                _ => {}
            }
            Some(())
        })?;
        // The string table is required.
        fields(table?, |number, value| {
            if let (1, Value::Bytes(s)) = (number, value) {
                block.strings.push(std::str::from_utf8(s).ok());
            }
            Some(())
        })?;
        Some(block)
    }

    #[inline]
    fn string(&self, index: u64) -> Option<&'a str> {
        *self.strings.get(usize::try_from(index).ok()?)?
    }

    /// Calls `each` with every way of the block in order, having checked
    /// it; `None` (having called `each` for some) when the block is not
    /// one this reader takes: the caller drops what `each` gathered.
    pub fn ways(&self, mut each: impl FnMut(&Way<'a, '_>)) -> Option<()> {
        self.groups_with(&mut |_, _, _| {}, &mut |way| each(way))
    }

    /// Walks every group in order: its first `DenseNodes` message checked
    /// and handed to `dense`, each way checked and handed to `way`; `None`
    /// on a plain node, a relation, a changeset or a second dense field.
    /// Generic (not `dyn`) so that the callbacks inline into the loops:
    /// they run once a node, tens of millions of times.
    fn groups_with(
        &self,
        dense: &mut impl FnMut(i64, (f64, f64), &[i32]),
        way: &mut impl FnMut(&Way<'a, '_>),
    ) -> Option<()> {
        for &group in &self.groups {
            let mut met_dense = false;
            fields(group, |number, value| {
                let Value::Bytes(body) = value else {
                    return Some(());
                };
                match number {
                    2 if !met_dense => {
                        met_dense = true;
                        self.dense_in(body, dense)
                    }
                    3 => {
                        way(&self.way(body)?);
                        Some(())
                    }
                    1 | 2 | 4 | 5 => None,
                    _ => Some(()),
                }
            })?;
        }
        Some(())
    }

    /// A way message, checked.
    fn way<'b>(&'b self, bytes: &'a [u8]) -> Option<Way<'a, 'b>> {
        let mut id = None;
        let (mut keys, mut vals, mut refs) = (None, None, None);
        fields(bytes, |number, value| match number {
            1 => {
                if let Value::Number(v) = value {
                    id = Some(v as i64);
                }
                Some(())
            }
            2 => once(&mut keys, value),
            3 => once(&mut vals, value),
            8 => once(&mut refs, value),
            4 => match value {
                Value::Bytes(b) => info_ok(b),
                _ => Some(()),
            },
            9 | 10 => check(&value, Int::Any, true),
            _ => Some(()),
        })?;
        let (keys, vals, refs) = (
            keys.unwrap_or(&[]),
            vals.unwrap_or(&[]),
            refs.unwrap_or(&[]),
        );
        if !packed_ok(keys, Int::U32) || !packed_ok(vals, Int::U32) {
            return None;
        }
        let (mut at, mut sum) = (0, 0i64);
        while at < refs.len() {
            sum = sum.checked_add(zigzag(varint(refs, &mut at)?))?;
        }
        Some(Way {
            block: self,
            id: id?,
            keys,
            vals,
            refs,
        })
    }

    /// Calls `each` with the id, longitude and latitude (degrees) and tag
    /// list (indexes into the string table, see [`Block::dense_tags`]) of
    /// every dense node of the block, in order; `None` as for
    /// [`Block::ways`].
    pub fn dense(&self, mut each: impl FnMut(i64, (f64, f64), &[i32])) -> Option<()> {
        self.groups_with(&mut each, &mut |_| {})
    }

    /// One `DenseNodes` message: checked whole, its nodes handed to `each`.
    fn dense_in(
        &self,
        bytes: &'a [u8],
        each: &mut impl FnMut(i64, (f64, f64), &[i32]),
    ) -> Option<()> {
        let (mut ids, mut lats, mut lons, mut kv) = (None, None, None, None);
        fields(bytes, |number, value| match number {
            1 => once(&mut ids, value),
            8 => once(&mut lats, value),
            9 => once(&mut lons, value),
            10 => once(&mut kv, value),
            5 => match value {
                Value::Bytes(b) => dense_info_ok(b),
                _ => Some(()),
            },
            _ => Some(()),
        })?;
        let (ids, lats, lons) = (ids.unwrap_or(&[]), lats.unwrap_or(&[]), lons.unwrap_or(&[]));
        let mut keys_vals = Vec::new();
        let kv = kv.unwrap_or(&[]);
        let mut at = 0;
        while at < kv.len() {
            keys_vals.push(number(kv, &mut at, Int::I32)? as i64 as i32);
        }
        let (mut i, mut la, mut lo) = (0, 0, 0);
        let (mut id, mut lat, mut lon) = (0i64, 0i64, 0i64);
        let mut tag = 0;
        while i < ids.len() && la < lats.len() && lo < lons.len() {
            id = id.checked_add(zigzag(varint(ids, &mut i)?))?;
            lat = lat.checked_add(zigzag(varint(lats, &mut la)?))?;
            lon = lon.checked_add(zigzag(varint(lons, &mut lo)?))?;
            let nano = |offset: i64, v: i64| self.granularity.checked_mul(v)?.checked_add(offset);
            let y = 1e-9 * nano(self.lat_offset, lat)? as f64;
            let x = 1e-9 * nano(self.lon_offset, lon)? as f64;
            // A node's tags: pairs up to a 0 (or a lone last number).
            let start = tag;
            while tag < keys_vals.len() {
                if keys_vals[tag] != 0 && tag + 1 < keys_vals.len() {
                    tag += 2;
                } else {
                    tag += 1;
                    break;
                }
            }
            let end = if tag > start && (tag - start) % 2 == 1 {
                tag - 1
            } else {
                tag
            };
            each(id, (x, y), &keys_vals[start..end]);
        }
        for (rest, at) in [(ids, i), (lats, la), (lons, lo)] {
            if !packed_ok(&rest[at..], Int::Any) {
                return None;
            }
        }
        Some(())
    }

    /// The tags of a dense node, as `osmpbf` gives them: up to the first
    /// key or value missing from the string table or not UTF-8.
    pub fn dense_tags<'s>(
        &'s self,
        keys_vals: &'s [i32],
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 's {
        keys_vals.chunks_exact(2).map_while(|kv| {
            let at = |i: i32| u64::try_from(i).ok().and_then(|i| self.string(i));
            Some((at(kv[0])?, at(kv[1])?))
        })
    }
}
