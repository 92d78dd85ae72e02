//! One module per subcommand.

pub mod compare;
pub mod dedup;
pub mod eval;
pub mod scan;
