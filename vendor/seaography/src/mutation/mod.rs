pub mod entity_create_one_mutation;
pub use entity_create_one_mutation::*;

pub mod entity_create_batch_mutation;
pub use entity_create_batch_mutation::*;

pub mod entity_update_mutation;
pub use entity_update_mutation::*;

pub mod entity_delete_mutation;
pub use entity_delete_mutation::*;
