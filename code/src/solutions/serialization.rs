//! The solution of the Serialization chapter's exercise (`src/techniques/serialization.md`),
//! shown only in its collapsed Solution admonition. The exercise itself is
//! `exercises/serialization.rs`.

use std::borrow::Cow;

use workshop::serde::{Deserialize, Serialize};
use workshop::serde_json;

// ANCHOR: order_cow
/// `Cow<str>` borrows when the text can be used as it is and owns a copy only when it
/// cannot (an escaped JSON string). `#[serde(borrow)]` is required: without it serde always
/// fills a `Cow` with an owned `String`.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "workshop::serde")]
pub struct OrderCow<'a> {
    pub id: u64,
    #[serde(borrow)]
    pub customer: Cow<'a, str>,
    #[serde(borrow)]
    pub email: Cow<'a, str>,
    pub created_at_ms: u64,
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
    #[serde(borrow)]
    pub items: Vec<LineItemCow<'a>>,
    #[serde(borrow)]
    pub note: Cow<'a, str>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "workshop::serde")]
pub struct LineItemCow<'a> {
    #[serde(borrow)]
    pub sku: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    pub quantity: u32,
    pub unit_price_cents: u64,
}

pub fn decode_json_cow(bytes: &[u8]) -> OrderCow<'_> {
    serde_json::from_slice(bytes).expect("the order decodes")
}
// ANCHOR_END: order_cow

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::serialization::{
        borrowed_from, encode_json, sample_order, sample_order_escaped,
    };

    #[test]
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
