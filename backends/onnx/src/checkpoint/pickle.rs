//! A pickle reader that executes nothing: it builds plain values from the opcodes a PyTorch
//! checkpoint uses and accepts only the globals the caller allows. A `GLOBAL` outside the
//! allowlist, an opcode outside the subset, or a call (`REDUCE`) of a global that has no
//! meaning here is refused with its name, so a hostile file cannot run code or smuggle
//! objects in (Python's own `pickle` would import and call whatever the file names).
//!
//! Protocols 2 to 5 as written by `torch.save`; persistent ids (`BINPERSID`) stand for
//! the zip's storages and are returned as [`Value::Persistent`] for the caller to resolve.

use std::collections::HashMap;

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum PickleError {
    #[error("the pickle ends early (at byte {0})")]
    Truncated(usize),
    #[error("opcode 0x{op:02x} at byte {at} is not one a checkpoint uses")]
    Opcode { op: u8, at: usize },
    #[error("the pickle names the global {0}, which is not allowed in a model file")]
    Global(String),
    #[error("the pickle calls {0}, which is not allowed here")]
    Call(String),
    #[error("malformed pickle at byte {at}: {what}")]
    Malformed { at: usize, what: String },
    #[error("the pickle is too deep or too large (more than {0} values)")]
    TooLarge(usize),
}

/// A value built by the reader. Containers keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    /// An allowed global, as `module.name` (for example a class reference such as
    /// `demucs.htdemucs.HTDemucs`, or `torch.HalfStorage` inside a persistent id).
    Global(String),
    /// `fractions.Fraction(numerator, denominator)`.
    Fraction(i64, i64),
    /// What `BINPERSID` was given: the caller resolves it (torch: a storage tuple).
    Persistent(Box<Value>),
    /// A call of an allowed constructor the caller interprets (torch:
    /// `_rebuild_tensor_v2(storage, offset, size, stride, ...)`).
    Call {
        func: String,
        args: Vec<Value>,
    },
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    /// Items of a dict with string keys, in order.
    pub fn dict_entries(&self) -> Option<impl Iterator<Item = (&str, &Value)>> {
        match self {
            Value::Dict(items) => {
                Some(items.iter().filter_map(|(k, v)| k.as_str().map(|k| (k, v))))
            }
            _ => None,
        }
    }

    /// The value under a string key of a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.dict_entries()?
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// A list's or a tuple's items.
    pub fn items(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }
}

/// What a global may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalUse {
    /// Only referenced (a class in a package, a storage type).
    Reference,
    /// `collections.OrderedDict()`: called with no items, gives an empty dict.
    OrderedDict,
    /// `fractions.Fraction(n, d)` or `Fraction("n/d")`.
    Fraction,
    /// Called; the call is returned as [`Value::Call`] for the caller.
    Constructor,
}

/// Upper bound on the values one pickle may build (the published checkpoints have about
/// 5,000): a hostile file cannot make the reader take unbounded memory.
pub const MAX_VALUES: usize = 1_000_000;

const MARK: u8 = b'(';
const STOP: u8 = b'.';
const POP: u8 = b'0';
const POP_MARK: u8 = b'1';
const DUP: u8 = b'2';
const BINFLOAT: u8 = b'G';
const BININT: u8 = b'J';
const BININT1: u8 = b'K';
const BININT2: u8 = b'M';
const NONE: u8 = b'N';
const BINPERSID: u8 = b'Q';
const REDUCE: u8 = b'R';
const BINUNICODE: u8 = b'X';
const EMPTY_LIST: u8 = b']';
const APPEND: u8 = b'a';
const BUILD: u8 = b'b';
const GLOBAL: u8 = b'c';
const APPENDS: u8 = b'e';
const BINGET: u8 = b'h';
const LONG_BINGET: u8 = b'j';
const LIST: u8 = b'l';
const BINPUT: u8 = b'q';
const LONG_BINPUT: u8 = b'r';
const SETITEM: u8 = b's';
const TUPLE: u8 = b't';
const SETITEMS: u8 = b'u';
const EMPTY_DICT: u8 = b'}';
const DICT: u8 = b'd';
const EMPTY_TUPLE: u8 = b')';
const SHORT_BINBYTES: u8 = b'C';
const BINBYTES: u8 = b'B';
const PROTO: u8 = 0x80;
const NEWOBJ: u8 = 0x81;
const TUPLE1: u8 = 0x85;
const TUPLE2: u8 = 0x86;
const TUPLE3: u8 = 0x87;
const NEWTRUE: u8 = 0x88;
const NEWFALSE: u8 = 0x89;
const LONG1: u8 = 0x8a;
const SHORT_BINUNICODE: u8 = 0x8c;
const BINUNICODE8: u8 = 0x8d;
const BINBYTES8: u8 = 0x8e;
const STACK_GLOBAL: u8 = 0x93;
const MEMOIZE: u8 = 0x94;
const FRAME: u8 = 0x95;

enum Item {
    Mark,
    /// A value and the memo keys it was stored under: containers are built in place on
    /// the stack, so the memo gets their final state when they leave it (as Python's
    /// memo, which holds references, would show them).
    Value(Value, Vec<u32>),
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    allowed: &'a HashMap<&'a str, GlobalUse>,
    stack: Vec<Item>,
    memo: HashMap<u32, Value>,
    built: usize,
}

/// Reads one pickle. `allowed` maps `module.name` to what the global may do.
pub fn read(data: &[u8], allowed: &HashMap<&str, GlobalUse>) -> Result<Value, PickleError> {
    let mut r = Reader {
        data,
        pos: 0,
        allowed,
        stack: Vec::new(),
        memo: HashMap::new(),
        built: 0,
    };
    r.run()
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], PickleError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or(PickleError::Truncated(self.data.len()))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, PickleError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, PickleError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, PickleError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, PickleError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn len_u64(&mut self) -> Result<usize, PickleError> {
        let n = self.u64()?;
        usize::try_from(n).map_err(|_| PickleError::Truncated(self.data.len()))
    }

    fn line(&mut self) -> Result<String, PickleError> {
        let rest = &self.data[self.pos..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or(PickleError::Truncated(self.data.len()))?;
        let s =
            String::from_utf8(rest[..end].to_vec()).map_err(|_| self.bad("a name is not UTF-8"))?;
        self.pos += end + 1;
        Ok(s)
    }

    fn text(&mut self, n: usize) -> Result<String, PickleError> {
        let at = self.pos;
        let b = self.take(n)?.to_vec();
        String::from_utf8(b).map_err(|_| PickleError::Malformed {
            at,
            what: "a string is not UTF-8".into(),
        })
    }

    fn bad(&self, what: &str) -> PickleError {
        PickleError::Malformed {
            at: self.pos,
            what: what.into(),
        }
    }

    fn push(&mut self, v: Value) -> Result<(), PickleError> {
        self.built += 1;
        if self.built > MAX_VALUES {
            return Err(PickleError::TooLarge(MAX_VALUES));
        }
        self.stack.push(Item::Value(v, Vec::new()));
        Ok(())
    }

    fn settle(&mut self, v: Value, keys: Vec<u32>) -> Value {
        for k in keys {
            self.memo.insert(k, v.clone());
        }
        v
    }

    fn pop(&mut self) -> Result<Value, PickleError> {
        match self.stack.pop() {
            Some(Item::Value(v, keys)) => Ok(self.settle(v, keys)),
            Some(Item::Mark) => Err(self.bad("a mark where a value was expected")),
            None => Err(self.bad("the stack is empty")),
        }
    }

    fn top(&mut self) -> Result<&mut Value, PickleError> {
        let at = self.pos;
        match self.stack.last_mut() {
            Some(Item::Value(v, _)) => Ok(v),
            _ => Err(PickleError::Malformed {
                at,
                what: "no value on the stack".into(),
            }),
        }
    }

    /// The values above the topmost mark, which is removed.
    fn pop_mark(&mut self) -> Result<Vec<Value>, PickleError> {
        let mark = self
            .stack
            .iter()
            .rposition(|i| matches!(i, Item::Mark))
            .ok_or_else(|| self.bad("no mark on the stack"))?;
        let items = self.stack.split_off(mark + 1);
        self.stack.pop();
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            if let Item::Value(v, keys) = i {
                out.push(self.settle(v, keys));
            }
        }
        Ok(out)
    }

    fn global(&mut self, module: &str, name: &str) -> Result<(), PickleError> {
        let full = format!("{module}.{name}");
        if !self.allowed.contains_key(full.as_str()) {
            return Err(PickleError::Global(full));
        }
        self.push(Value::Global(full))
    }

    fn memo_put(&mut self, key: u32) -> Result<(), PickleError> {
        let at = self.pos;
        match self.stack.last_mut() {
            Some(Item::Value(v, keys)) => {
                keys.push(key);
                let v = v.clone();
                self.memo.insert(key, v);
                Ok(())
            }
            _ => Err(PickleError::Malformed {
                at,
                what: "memo store without a value".into(),
            }),
        }
    }

    fn memo_get(&mut self, key: u32) -> Result<(), PickleError> {
        // A container still being built is on the stack, more current than the memo.
        let building = self.stack.iter().rev().find_map(|i| match i {
            Item::Value(v, keys) if keys.contains(&key) => Some(v.clone()),
            _ => None,
        });
        let v = building
            .or_else(|| self.memo.get(&key).cloned())
            .ok_or_else(|| self.bad(&format!("memo entry {key} was never stored")))?;
        self.push(v)
    }

    fn reduce(&mut self, func: Value, args: Value) -> Result<Value, PickleError> {
        let Value::Global(name) = func else {
            return Err(PickleError::Call(format!("{func:?}")));
        };
        let Value::Tuple(args) = args else {
            return Err(self.bad("call arguments are not a tuple"));
        };
        match self.allowed.get(name.as_str()) {
            Some(GlobalUse::OrderedDict) => {
                if args.is_empty() {
                    Ok(Value::Dict(Vec::new()))
                } else {
                    Err(PickleError::Call(format!("{name} with arguments")))
                }
            }
            Some(GlobalUse::Fraction) => {
                fraction(&args).ok_or_else(|| self.bad(&format!("{name} with arguments {args:?}")))
            }
            Some(GlobalUse::Constructor) => Ok(Value::Call { func: name, args }),
            _ => Err(PickleError::Call(name)),
        }
    }

    fn run(&mut self) -> Result<Value, PickleError> {
        loop {
            let at = self.pos;
            let op = self.u8()?;
            match op {
                PROTO => {
                    let v = self.u8()?;
                    if !(2..=5).contains(&v) {
                        return Err(self.bad(&format!("protocol {v}")));
                    }
                }
                FRAME => {
                    self.u64()?;
                }
                STOP => return self.pop(),
                MARK => self.stack.push(Item::Mark),
                POP => {
                    self.stack.pop();
                }
                POP_MARK => {
                    self.pop_mark()?;
                }
                DUP => {
                    let v = self.top()?.clone();
                    self.push(v)?;
                }
                NONE => self.push(Value::None)?,
                NEWTRUE => self.push(Value::Bool(true))?,
                NEWFALSE => self.push(Value::Bool(false))?,
                BININT => {
                    let v = self.u32()? as i32;
                    self.push(Value::Int(v as i64))?
                }
                BININT1 => {
                    let v = self.u8()?;
                    self.push(Value::Int(v as i64))?
                }
                BININT2 => {
                    let v = self.u16()?;
                    self.push(Value::Int(v as i64))?
                }
                LONG1 => {
                    let n = self.u8()? as usize;
                    let b = self.take(n)?;
                    if n > 8 {
                        return Err(self.bad("an integer wider than 64 bits"));
                    }
                    let mut a = if b.last().is_some_and(|&x| x & 0x80 != 0) {
                        [0xffu8; 8]
                    } else {
                        [0u8; 8]
                    };
                    a[..n].copy_from_slice(b);
                    self.push(Value::Int(i64::from_le_bytes(a)))?
                }
                BINFLOAT => {
                    let b = self.take(8)?;
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    self.push(Value::Float(f64::from_be_bytes(a)))?
                }
                SHORT_BINUNICODE => {
                    let n = self.u8()? as usize;
                    let s = self.text(n)?;
                    self.push(Value::Str(s))?
                }
                BINUNICODE => {
                    let n = self.u32()? as usize;
                    let s = self.text(n)?;
                    self.push(Value::Str(s))?
                }
                BINUNICODE8 => {
                    let n = self.len_u64()?;
                    let s = self.text(n)?;
                    self.push(Value::Str(s))?
                }
                SHORT_BINBYTES => {
                    let n = self.u8()? as usize;
                    let b = self.take(n)?.to_vec();
                    self.push(Value::Bytes(b))?
                }
                BINBYTES => {
                    let n = self.u32()? as usize;
                    let b = self.take(n)?.to_vec();
                    self.push(Value::Bytes(b))?
                }
                BINBYTES8 => {
                    let n = self.len_u64()?;
                    let b = self.take(n)?.to_vec();
                    self.push(Value::Bytes(b))?
                }
                EMPTY_LIST => self.push(Value::List(Vec::new()))?,
                EMPTY_TUPLE => self.push(Value::Tuple(Vec::new()))?,
                EMPTY_DICT => self.push(Value::Dict(Vec::new()))?,
                LIST => {
                    let items = self.pop_mark()?;
                    self.push(Value::List(items))?
                }
                TUPLE => {
                    let items = self.pop_mark()?;
                    self.push(Value::Tuple(items))?
                }
                TUPLE1 | TUPLE2 | TUPLE3 => {
                    let n = (op - TUPLE1 + 1) as usize;
                    let mut items = Vec::with_capacity(n);
                    for _ in 0..n {
                        items.push(self.pop()?);
                    }
                    items.reverse();
                    self.push(Value::Tuple(items))?
                }
                DICT => {
                    let items = self.pop_mark()?;
                    let pairs = pairs(items).ok_or_else(|| self.bad("odd number of dict items"))?;
                    self.push(Value::Dict(pairs))?
                }
                APPEND => {
                    let v = self.pop()?;
                    match self.top()? {
                        Value::List(l) => l.push(v),
                        _ => return Err(self.bad("APPEND to something not a list")),
                    }
                }
                APPENDS => {
                    let items = self.pop_mark()?;
                    match self.top()? {
                        Value::List(l) => l.extend(items),
                        _ => return Err(self.bad("APPENDS to something not a list")),
                    }
                }
                SETITEM => {
                    let v = self.pop()?;
                    let k = self.pop()?;
                    match self.top()? {
                        Value::Dict(d) => d.push((k, v)),
                        _ => return Err(self.bad("SETITEM on something not a dict")),
                    }
                }
                SETITEMS => {
                    let items = self.pop_mark()?;
                    let new = pairs(items).ok_or_else(|| self.bad("odd number of dict items"))?;
                    match self.top()? {
                        Value::Dict(d) => d.extend(new),
                        _ => return Err(self.bad("SETITEMS on something not a dict")),
                    }
                }
                BINPUT => {
                    let k = self.u8()? as u32;
                    self.memo_put(k)?
                }
                LONG_BINPUT => {
                    let k = self.u32()?;
                    self.memo_put(k)?
                }
                MEMOIZE => {
                    let k = self.memo.len() as u32;
                    self.memo_put(k)?
                }
                BINGET => {
                    let k = self.u8()? as u32;
                    self.memo_get(k)?
                }
                LONG_BINGET => {
                    let k = self.u32()?;
                    self.memo_get(k)?
                }
                GLOBAL => {
                    let module = self.line()?;
                    let name = self.line()?;
                    self.global(&module, &name)?
                }
                STACK_GLOBAL => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    match (module, name) {
                        (Value::Str(m), Value::Str(n)) => self.global(&m, &n)?,
                        _ => return Err(self.bad("STACK_GLOBAL without two strings")),
                    }
                }
                REDUCE | NEWOBJ => {
                    let args = self.pop()?;
                    let func = self.pop()?;
                    let v = self.reduce(func, args)?;
                    self.push(v)?
                }
                BUILD => {
                    // Setting an object's attributes: only a dict's are accepted (an
                    // OrderedDict's, e.g. a state_dict's `_metadata`), and dropped.
                    let _state = self.pop()?;
                    match self.top()? {
                        Value::Dict(_) => {}
                        target => {
                            let what = format!("BUILD on {target:?}");
                            return Err(PickleError::Call(what));
                        }
                    }
                }
                BINPERSID => {
                    let id = self.pop()?;
                    self.push(Value::Persistent(Box::new(id)))?
                }
                _ => return Err(PickleError::Opcode { op, at }),
            }
        }
    }
}

fn pairs(items: Vec<Value>) -> Option<Vec<(Value, Value)>> {
    if !items.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    Some(out)
}

fn fraction(args: &[Value]) -> Option<Value> {
    let (n, d) = match args {
        [Value::Int(n), Value::Int(d)] => (*n, *d),
        [Value::Int(n)] => (*n, 1),
        [Value::Str(s)] => match s.split_once('/') {
            Some((n, d)) => (n.trim().parse().ok()?, d.trim().parse().ok()?),
            None => (s.trim().parse().ok()?, 1),
        },
        _ => return None,
    };
    (d != 0).then_some(Value::Fraction(n, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow() -> HashMap<&'static str, GlobalUse> {
        HashMap::from([
            ("collections.OrderedDict", GlobalUse::OrderedDict),
            ("fractions.Fraction", GlobalUse::Fraction),
        ])
    }

    #[test]
    fn reads_containers_numbers_and_memo() {
        // {'a': [1, 300, -2, 1.5], 'b': ('x', None, True), 'c': <memo of the list>}
        let mut p = vec![PROTO, 2, EMPTY_DICT, BINPUT, 0, MARK];
        p.extend([SHORT_BINUNICODE, 1, b'a', EMPTY_LIST, BINPUT, 1, MARK]);
        p.extend([BININT1, 1, BININT2, 0x2c, 0x01, BININT]);
        p.extend((-2i32).to_le_bytes());
        p.push(BINFLOAT);
        p.extend(1.5f64.to_be_bytes());
        p.push(APPENDS);
        p.extend([
            SHORT_BINUNICODE,
            1,
            b'b',
            SHORT_BINUNICODE,
            1,
            b'x',
            NONE,
            NEWTRUE,
            TUPLE3,
        ]);
        p.extend([SHORT_BINUNICODE, 1, b'c', BINGET, 1, SETITEMS, STOP]);
        let v = read(&p, &allow()).expect("pickle");
        let list = Value::List(vec![
            Value::Int(1),
            Value::Int(300),
            Value::Int(-2),
            Value::Float(1.5),
        ]);
        assert_eq!(v.get("a"), Some(&list));
        // The memo gives the list as it was finished, though BINPUT came before its items.
        assert_eq!(v.get("c"), Some(&list));
        assert_eq!(
            v.get("b"),
            Some(&Value::Tuple(vec![
                Value::Str("x".into()),
                Value::None,
                Value::Bool(true)
            ]))
        );
    }

    #[test]
    fn fraction_and_ordered_dict_are_built_not_called() {
        let mut p = vec![PROTO, 2, b'c'];
        p.extend(b"fractions\nFraction\n");
        p.extend([BININT1, 39, BININT1, 5, TUPLE2, REDUCE, STOP]);
        assert_eq!(read(&p, &allow()).expect("pickle"), Value::Fraction(39, 5));
        let mut p = vec![PROTO, 2, b'c'];
        p.extend(b"collections\nOrderedDict\n");
        p.extend([EMPTY_TUPLE, REDUCE, STOP]);
        assert_eq!(read(&p, &allow()).expect("pickle"), Value::Dict(vec![]));
    }

    #[test]
    fn a_foreign_global_is_refused_by_name() {
        let mut p = vec![PROTO, 2, b'c'];
        p.extend(b"os\nsystem\n");
        p.extend([SHORT_BINUNICODE, 2, b'l', b's', TUPLE1, REDUCE, STOP]);
        assert_eq!(
            read(&p, &allow()),
            Err(PickleError::Global("os.system".into()))
        );
        // A global allowed only as a reference cannot be called.
        let mut allowed = allow();
        allowed.insert("demucs.htdemucs.HTDemucs", GlobalUse::Reference);
        let mut p = vec![PROTO, 2, b'c'];
        p.extend(b"demucs.htdemucs\nHTDemucs\n");
        p.extend([EMPTY_TUPLE, REDUCE, STOP]);
        assert_eq!(
            read(&p, &allowed),
            Err(PickleError::Call("demucs.htdemucs.HTDemucs".into()))
        );
    }

    #[test]
    fn truncated_and_unknown_input_is_an_error() {
        let p = [PROTO, 2, BINUNICODE, 10, 0, 0, 0, b'a'];
        assert!(matches!(read(&p, &allow()), Err(PickleError::Truncated(_))));
        let p = [PROTO, 2, b'i'];
        assert!(matches!(
            read(&p, &allow()),
            Err(PickleError::Opcode { op: b'i', .. })
        ));
        assert!(read(&[], &allow()).is_err());
        // A huge declared length does not allocate: it is checked against the data first.
        let p = [
            PROTO,
            2,
            BINUNICODE8,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0x7f,
        ];
        assert!(read(&p, &allow()).is_err());
    }
}
