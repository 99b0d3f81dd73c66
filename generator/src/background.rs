//! Work nobody waits for, done on another thread.

/// Frees `value` on another thread: freeing tens of thousands of pages takes longer than
/// rendering the few that changed, and nobody waits for it.
pub fn drop_later<T: Send + 'static>(value: T) {
    if std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value))
        .is_err()
    {
        // No thread to spare: the value was dropped here with the failed closure.
    }
}
