//! The book's answer to the Wrapper types chapter's exercise (`exercises/wrapper_types.rs`).

use std::borrow::Cow;

// ANCHOR: solution
/// Look for the first `\r\n` (memchr's substring search); without one, lend `text` back.
/// With one, copy what precedes it and go on from there into a `String` sized for the
/// whole text, which the result can only be shorter than: one allocation.
pub fn normalize_newlines(text: &str) -> Cow<'_, str> {
    let finder = memchr::memmem::Finder::new("\r\n");
    let Some(first) = finder.find(text.as_bytes()) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    let mut at = first;
    loop {
        out.push_str(&text[start..at]);
        out.push('\n');
        start = at + 2;
        match finder.find(&text.as_bytes()[start..]) {
            Some(next) => at = start + next,
            None => break,
        }
    }
    out.push_str(&text[start..]);
    Cow::Owned(out)
}
// ANCHOR_END: solution
