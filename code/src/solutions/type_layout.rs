//! The solution of the Type layout chapter's exercise (`src/memory/type-layout.md`), shown
//! only in its collapsed Solution admonition. The exercise itself is
//! `exercises/type_layout.rs`.

use std::num::NonZeroU32;

use workshop::type_layout::OrderLine;

// ANCHOR: solution
/// 16 + 4 + 2 + 1 bytes of fields, 24 with padding: the SKU keeps no spare capacity, the
/// coupon's `None` is the id 0 that no coupon has, and the quantity takes two bytes.
#[derive(Clone, Debug)]
pub struct CompactLine {
    pub sku: Box<str>,
    pub coupon: Option<NonZeroU32>,
    pub quantity: u16,
    pub gift: bool,
}

pub fn compact(line: &OrderLine) -> CompactLine {
    CompactLine {
        sku: line.sku.as_str().into(),
        // Coupon ids start at 1; an id of 0 breaks the data's rules.
        coupon: line
            .coupon
            .map(|id| NonZeroU32::new(id).expect("coupon ids start at 1")),
        quantity: u16::try_from(line.quantity).expect("quantities are below 10,000"),
        gift: line.gift,
    }
}

pub fn expand(line: &CompactLine) -> OrderLine {
    OrderLine {
        sku: line.sku.to_string(),
        quantity: u64::from(line.quantity),
        coupon: line.coupon.map(NonZeroU32::get),
        gift: line.gift,
    }
}
// ANCHOR_END: solution

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use workshop::type_layout::sample_lines;

    #[test]
    fn solution_is_small_and_loses_nothing() {
        assert_eq!(size_of::<super::CompactLine>(), 24);
        for line in sample_lines() {
            assert_eq!(super::expand(&super::compact(&line)), line);
        }
    }
}
