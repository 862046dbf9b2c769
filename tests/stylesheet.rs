//! The stylesheet parses as a whole: a brace lost in an edit silently nests every later rule
//! (they stop applying), which no component test notices.

#[test]
fn every_block_of_the_stylesheet_is_closed() {
    let css = include_str!("../static/style.css");
    let mut depth: i64 = 0;
    let mut in_comment = false;
    let bytes = css.as_bytes();
    let mut i = 0;
    let mut line = 1;
    while i < bytes.len() {
        match (in_comment, bytes[i], bytes.get(i + 1)) {
            (false, b'/', Some(b'*')) => {
                in_comment = true;
                i += 1;
            }
            (true, b'*', Some(b'/')) => {
                in_comment = false;
                i += 1;
            }
            (false, b'{', _) => depth += 1,
            (false, b'}', _) => {
                depth -= 1;
                assert!(depth >= 0, "an unmatched }} on line {line}");
            }
            (_, b'\n', _) => line += 1,
            _ => {}
        }
        i += 1;
    }
    assert!(!in_comment, "a comment is never closed");
    assert_eq!(depth, 0, "{depth} block(s) left open at the end");
}
