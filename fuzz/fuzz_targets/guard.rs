//! hubsel's readers run the `shapefile`, `dbase` and `osmpbf` crates
//! inside `catch_unwind`, turning their panics on damaged files into
//! errors. libFuzzer's panic hook would abort before that guard is
//! reached, so these targets install the default hook: a panic that
//! escapes hubsel still aborts (libfuzzer-sys aborts on an unwinding
//! target), one hubsel catches does not.
pub fn unwinding_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = std::panic::take_hook();
    });
}
