//! The solution of the Type layout chapter's exercise (`src/memory/type-layout.md`), shown
//! only in its collapsed Solution admonition. The exercise itself is
//! `exercises/type_layout.rs`.

use std::num::NonZeroU32;

use workshop::type_layout::OrderLine;

// ANCHOR: solution
/// 16 + 4 + 2 + 1 bytes of fields, 24 with padding: the SKU keeps no capacity, the coupon's
/// `None` is the id 0 that no coupon has, and the quantity takes two bytes. The round trip and
/// the heap use are checked by `tests/exercise_checks.rs`.
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
        sku: String::from(&*line.sku),
        quantity: u64::from(line.quantity),
        coupon: line.coupon.map(NonZeroU32::get),
        gift: line.gift,
    }
}
// ANCHOR_END: solution

#[cfg(test)]
mod tests {
    #[test]
    fn solution_is_exactly_24_bytes() {
        assert_eq!(std::mem::size_of::<super::CompactLine>(), 24);
    }
}
