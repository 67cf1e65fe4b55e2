// INPUTS
pub mod value_input;
pub use value_input::*;

pub mod cursor_input;
pub use cursor_input::*;

pub mod page_input;
pub use page_input::*;

pub mod offset_input;
pub use offset_input::*;

pub mod pagination_input;
pub use pagination_input::*;

pub mod order_input;
pub use order_input::*;

pub mod filter_input;
pub use filter_input::*;

pub mod having_input;
pub use having_input::*;

pub mod entity_input;
pub use entity_input::*;

pub mod active_enum_filter_input;
pub use active_enum_filter_input::*;
