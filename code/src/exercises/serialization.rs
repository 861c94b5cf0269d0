//! The Serialization chapter's exercise (`src/techniques/serialization.md`): remove the
//! `#[ignore]` line of the test below, run
//! `cargo test -p workshop --lib exercises::serialization`, and change the types until it
//! passes. The book's solution is in `solutions/serialization.rs`; open it after you have
//! tried.

use workshop::serde::{Deserialize, Serialize};
use workshop::serde_json;

// ANCHOR: exercise
/// For now a copy of `workshop::serialization::OrderRef`: make it decode strings with escapes
/// too, and still borrow the others.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "workshop::serde")]
pub struct OrderCow<'a> {
    pub id: u64,
    pub customer: &'a str,
    pub email: &'a str,
    pub created_at_ms: u64,
    pub currency: &'a str,
    #[serde(borrow)]
    pub items: Vec<LineItemCow<'a>>,
    pub note: &'a str,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "workshop::serde")]
pub struct LineItemCow<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub quantity: u32,
    pub unit_price_cents: u64,
}

pub fn decode_json_cow(bytes: &[u8]) -> OrderCow<'_> {
    serde_json::from_slice(bytes).expect("the order decodes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::serialization::{
        borrowed_from, encode_json, sample_order, sample_order_escaped,
    };

    #[test]
    #[ignore = "remove this line, then make the test pass"]
    // The same test must compile for the `&str` fields given and for the types you make them.
    #[allow(clippy::borrow_deref_ref, clippy::needless_borrow)]
    fn decodes_escapes_and_borrows_the_rest() {
        // Without escapes, every string can be borrowed.
        let json = encode_json(&sample_order());
        let decoded = decode_json_cow(&json);
        assert!(
            borrowed_from(&decoded.note, &json),
            "note: a copy, not a borrow of the input"
        );
        assert!(
            borrowed_from(&decoded.customer, &json),
            "the customer is copied"
        );
        // The note and the second item's name hold escapes (`\n`, `\"`): their text is not
        // in the input as it is, so those two must be copies, and only those two.
        let order = sample_order_escaped();
        let json = encode_json(&order);
        let decoded = decode_json_cow(&json);
        assert_eq!(&*decoded.note, order.note);
        assert!(
            !borrowed_from(&decoded.note, &json),
            "the note cannot be borrowed"
        );
        assert!(
            borrowed_from(&decoded.customer, &json),
            "the customer is copied"
        );
        for (i, item) in decoded.items.iter().enumerate() {
            assert_eq!(&*item.name, order.items[i].name);
            assert_eq!(
                borrowed_from(&item.name, &json),
                i != 1,
                "item {i}: {}",
                item.name
            );
            assert!(
                borrowed_from(&item.sku, &json),
                "item {i}'s sku: a copy, not a borrow"
            );
        }
    }
}
// ANCHOR_END: exercise
