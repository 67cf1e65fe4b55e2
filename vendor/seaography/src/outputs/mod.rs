pub mod page_info_object;
pub use page_info_object::*;

pub mod pagination_info_object;
pub use pagination_info_object::*;

pub mod edge_object;
pub use edge_object::*;

pub mod connection_object;
pub use connection_object::*;

pub mod entity_object;
pub use entity_object::*;
