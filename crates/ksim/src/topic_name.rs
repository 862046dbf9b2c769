//! Topic name rules (`common/internals/Topic.java`).

const MAX_NAME_LENGTH: usize = 249;

/// `Topic.validate`: the error text Kafka attaches to INVALID_TOPIC_EXCEPTION.
pub(crate) fn validate(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Topic name is illegal, it can't be empty".to_string());
    }
    if name == "." || name == ".." {
        return Err("Topic name cannot be \".\" or \"..\"".to_string());
    }
    if name.len() > MAX_NAME_LENGTH {
        return Err(format!(
            "Topic name is illegal, it can't be longer than {MAX_NAME_LENGTH} characters, topic name: {name}"
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err(format!(
            "Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// Names that differ only in `.` versus `_` collide in metric names.
pub(crate) fn has_collision_chars(name: &str) -> bool {
    name.contains('.') || name.contains('_')
}

pub(crate) fn unify_collision_chars(name: &str) -> String {
    name.replace('.', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_names_pass_and_illegal_ones_say_why() {
        assert!(validate("heart-rate-measures").is_ok());
        assert!(validate("icu.monitor_2").is_ok());
        assert!(validate("a b").unwrap_err().contains("other than ASCII alphanumerics"));
        assert!(validate("..").is_err());
        assert!(validate(&"x".repeat(250)).unwrap_err().contains("longer than 249"));
    }
}
