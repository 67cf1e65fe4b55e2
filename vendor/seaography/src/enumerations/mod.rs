pub mod order_by_enum;
pub use order_by_enum::*;

pub mod active_enum;
pub use active_enum::*;
