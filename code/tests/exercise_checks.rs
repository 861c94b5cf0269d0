//! The exercise checks that count allocations can fail: each passes the book's solution and
//! rejects a plausible wrong answer. One test in this file: dhat allows one profiler per
//! process.

use std::borrow::Cow;
use std::hint::black_box;
use std::panic::catch_unwind;

use workshop::benchmarking::{
    begins_with_ignore_case_lowercase, check_ignore_case_cases, inputs,
};
use workshop::caches::{Matrix, Visit, check_column_sums, column_sums_by_column};
use workshop::map_keys::{check_word_count_allocations, count_words_entry};
use workshop::measure::{Group, Runner};
use workshop::type_layout::{OrderLine, check_compact_line};
use workshop::wrapper_types::check_normalize_newlines;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// A wrong answer to the Benchmarking exercise: the in-place comparison is measured on a
/// pattern it lower-cases inside the call, so no case of an input is free of allocations.
fn lowercase_everywhere<R: Runner>(r: &mut R) {
    let mut g = r.group("ignore_case");
    for i in &inputs()[..2] {
        let pat = i.pat[..i.pat.len().min(16)].to_uppercase();
        for name in ["to_ascii_lowercase", "eq_ignore_ascii_case", "to_lowercase"] {
            g.case(name, Some(i.label), || {
                begins_with_ignore_case_lowercase(black_box(&i.s), black_box(&pat))
            });
        }
    }
    g.finish();
}

/// A wrong answer to the Type layout exercise: eight bytes, because the whole line moved to
/// the heap.
struct BoxedLine(Box<OrderLine>);

fn boxed_line(line: &OrderLine) -> BoxedLine {
    BoxedLine(Box::new(line.clone()))
}

fn unbox_line(line: &BoxedLine) -> OrderLine {
    (*line.0).clone()
}

#[test]
fn exercise_checks_pass_the_solutions_and_fail_wrong_answers() {
    let _profiler = dhat::Profiler::builder().testing().build();

    check_ignore_case_cases(workshop::solutions::benchmarking::ignore_case_cases);
    assert!(
        catch_unwind(|| check_ignore_case_cases(lowercase_everywhere)).is_err(),
        "the Benchmarking check passed a group whose in-place case allocates"
    );

    check_word_count_allocations(workshop::solutions::map_keys::count_words_get_mut);
    assert!(
        catch_unwind(|| check_word_count_allocations(count_words_entry)).is_err(),
        "the Map keys check passed a count that makes a String per word"
    );

    use workshop::solutions::type_layout::{compact, expand};
    check_compact_line(compact, expand);
    assert!(
        catch_unwind(|| check_compact_line(boxed_line, unbox_line)).is_err(),
        "the Type layout check passed a line that was only boxed"
    );

    check_column_sums(workshop::solutions::caches::column_sums);
    assert!(
        catch_unwind(|| check_column_sums(column_sums_by_column)).is_err(),
        "the Caches check passed the column-by-column sums it starts from"
    );
    assert!(
        catch_unwind(|| check_column_sums(rows_first_then_columns)).is_err(),
        "the Caches check passed sums that take each row once but read them column by column"
    );
    assert!(
        catch_unwind(|| check_column_sums(copy_then_columns)).is_err(),
        "the Caches check passed sums that copy the matrix in order and walk the copy by columns"
    );

    check_normalize_newlines(workshop::solutions::wrapper_types::normalize_newlines);
    assert!(
        catch_unwind(|| check_normalize_newlines(|s| Cow::Owned(
            s.replace("\r\n", "\n")
        )))
        .is_err(),
        "the Wrapper types check passed a normalization that always allocates"
    );
    assert!(
        catch_unwind(|| check_normalize_newlines(|s| s.replace("\r\n", "\n").into()))
            .is_err(),
        "the Wrapper types check passed a normalization that always allocates"
    );
    assert!(
        catch_unwind(|| check_normalize_newlines(normalize_growing)).is_err(),
        "the Wrapper types check passed a normalization that grows its String as it goes"
    );
    assert!(
        catch_unwind(|| check_normalize_newlines(normalize_by_lines)).is_err(),
        "the Wrapper types check passed a normalization that ends the last line with \\n"
    );
}

/// A wrong answer to the Wrapper types exercise: borrows when it should, but grows its
/// `String` from empty, one reallocation after another on a long text.
fn normalize_growing(s: &str) -> Cow<'_, str> {
    if !s.contains("\r\n") {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    for (i, piece) in s.split("\r\n").enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(piece);
    }
    Cow::Owned(out)
}

/// Another wrong answer: borrows when it should and allocates once,
/// but ends every line with `\n`, the last one too, when the text did not.
fn normalize_by_lines(s: &str) -> Cow<'_, str> {
    if !s.contains("\r\n") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        out.push_str(line);
        out.push('\n');
    }
    Cow::Owned(out)
}

/// Another wrong answer: every element converted once in storage order, into a copy of the
/// whole matrix, which is then summed column by column.
fn copy_then_columns(m: &Matrix<Visit>) -> Vec<u64> {
    let n = m.n();
    let copy: Vec<u64> = (0..n)
        .flat_map(|r| m.row(r).iter().map(|&x| u64::from(x)))
        .collect();
    (0..n)
        .map(|col| (0..n).map(|row| copy[row * n + col]).sum())
        .collect()
}

/// A wrong answer to the Caches exercise: each row borrowed once, in order, and then read
/// column by column all the same.
fn rows_first_then_columns(m: &Matrix<Visit>) -> Vec<u64> {
    let rows: Vec<&[Visit]> = (0..m.n()).map(|r| m.row(r)).collect();
    (0..m.n())
        .map(|col| rows.iter().map(|row| u64::from(row[col])).sum())
        .collect()
}
