//! `cargo run -p workshop --example type_sizes`: how many bytes a value of each type takes
//! where it lives (a local on the stack, a field, an element of a Vec). What a type owns
//! on the heap is not counted: a `String` is three words wherever its text is.
//!
//! The assertions make the chapter's claims checked: the snippet harness runs this file.

// ANCHOR: sizes
use std::mem::size_of;

/// Fields in the order written; Rust may reorder them to leave less padding.
#[allow(dead_code)]
struct Padded {
    a: u8,
    b: u64,
    c: u8,
}

/// The same fields in C's layout: declaration order, padding after `a` and after `c`.
#[allow(dead_code)]
#[repr(C)]
struct PaddedC {
    a: u8,
    b: u64,
    c: u8,
}

fn main() {
    let word = size_of::<usize>();
    assert_eq!(word, 8, "the sizes below are those of a 64-bit target");

    let sizes = [
        ("u8", size_of::<u8>()),
        ("u64", size_of::<u64>()),
        ("&str", size_of::<&str>()),
        ("String", size_of::<String>()),
        ("Vec<u8>", size_of::<Vec<u8>>()),
        ("Box<[u8]>", size_of::<Box<[u8]>>()),
        ("Box<u8>", size_of::<Box<u8>>()),
        ("Option<Box<u8>>", size_of::<Option<Box<u8>>>()),
        ("Option<u64>", size_of::<Option<u64>>()),
        ("Padded", size_of::<Padded>()),
        ("PaddedC (repr C)", size_of::<PaddedC>()),
    ];
    for (name, size) in sizes {
        println!("{name:>18}  {size:>2} bytes");
    }

    // A slice reference is a fat pointer: address and length.
    assert_eq!(size_of::<&str>(), 2 * word);
    // String and Vec: pointer, capacity, length. The bytes themselves are on the heap.
    assert_eq!(size_of::<String>(), 3 * word);
    assert_eq!(size_of::<Vec<u8>>(), 3 * word);
    // A boxed slice has no spare capacity, so it needs no capacity field.
    assert_eq!(size_of::<Box<[u8]>>(), 2 * word);
    // A Box is never null, so `None` can be the null pointer: the option costs nothing
    // (the "niche" optimization). A u64 has no spare bit pattern: its option needs a tag.
    assert_eq!(size_of::<Option<Box<u8>>>(), size_of::<Box<u8>>());
    assert!(size_of::<Option<u64>>() > size_of::<u64>());
    // Rust reordered the fields (b, a, c): one padded u64 slot less than C's layout.
    assert!(size_of::<Padded>() < size_of::<PaddedC>());
    assert_eq!(size_of::<PaddedC>(), 3 * size_of::<u64>());
}
// ANCHOR_END: sizes
