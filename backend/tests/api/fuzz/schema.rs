//! The schema as introspection reports it, reduced to what the fuzzer needs to write requests:
//! types, fields, arguments and input fields, and selection sets built from them.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The introspection query GraphiQL and most clients send.
pub const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

/// A reference to a type, with its list and non-null wrappers.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    fn parse(v: &Value) -> TypeRef {
        match v["kind"].as_str() {
            Some("NON_NULL") => TypeRef::NonNull(Box::new(TypeRef::parse(&v["ofType"]))),
            Some("LIST") => TypeRef::List(Box::new(TypeRef::parse(&v["ofType"]))),
            _ => TypeRef::Named(v["name"].as_str().unwrap_or_default().to_owned()),
        }
    }

    /// The type under the wrappers.
    pub fn named(&self) -> &str {
        match self {
            TypeRef::Named(n) => n,
            TypeRef::List(t) | TypeRef::NonNull(t) => t.named(),
        }
    }

    pub fn is_non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }
}

/// GraphQL syntax, as a variable definition needs it: `[ID!]!`.
impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Named(n) => write!(f, "{n}"),
            TypeRef::List(t) => write!(f, "[{t}]"),
            TypeRef::NonNull(t) => write!(f, "{t}!"),
        }
    }
}

/// An argument or an input object's field.
#[derive(Debug, Clone)]
pub struct InputValue {
    pub name: String,
    pub ty: TypeRef,
    pub default: Option<String>,
}

impl InputValue {
    fn parse(v: &Value) -> InputValue {
        InputValue {
            name: v["name"].as_str().unwrap_or_default().to_owned(),
            ty: TypeRef::parse(&v["type"]),
            default: v["defaultValue"].as_str().map(str::to_owned),
        }
    }

    /// Whether a request must give it: non-null and without a default.
    pub fn required(&self) -> bool {
        self.ty.is_non_null() && self.default.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub args: Vec<InputValue>,
    pub ty: TypeRef,
}

impl Field {
    /// The field's name with its result and argument type names: where to look for what a bare
    /// `id` argument points to (`requestDelegatedAdminApproval` says it in its payload's name).
    pub fn context(&self) -> String {
        let mut parts = vec![self.name.clone(), self.ty.named().to_owned()];
        parts.extend(self.args.iter().map(|a| a.ty.named().to_owned()));
        parts.join("|")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub kind: Kind,
    pub fields: Vec<Field>,
    pub input_fields: Vec<InputValue>,
    pub enum_values: Vec<String>,
    /// For an interface or a union: the object types that implement it or belong to it.
    pub possible_types: Vec<String>,
}

impl TypeDef {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

pub struct Schema {
    types: BTreeMap<String, TypeDef>,
    query: String,
    mutation: Option<String>,
}

impl Schema {
    /// From the `data` of [`INTROSPECTION`]'s answer.
    pub fn from_introspection(data: &Value) -> Schema {
        let s = &data["__schema"];
        let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
        let mut types = BTreeMap::new();
        for t in list(&s["types"]) {
            let kind = match t["kind"].as_str().unwrap_or_default() {
                "SCALAR" => Kind::Scalar,
                "OBJECT" => Kind::Object,
                "INTERFACE" => Kind::Interface,
                "UNION" => Kind::Union,
                "ENUM" => Kind::Enum,
                "INPUT_OBJECT" => Kind::InputObject,
                other => panic!("unexpected type kind {other}"),
            };
            let fields = list(&t["fields"])
                .iter()
                .map(|f| Field {
                    name: f["name"].as_str().unwrap_or_default().to_owned(),
                    args: list(&f["args"]).iter().map(InputValue::parse).collect(),
                    ty: TypeRef::parse(&f["type"]),
                })
                .collect();
            let def = TypeDef {
                kind,
                fields,
                input_fields: list(&t["inputFields"]).iter().map(InputValue::parse).collect(),
                enum_values: list(&t["enumValues"])
                    .iter()
                    .filter_map(|e| e["name"].as_str().map(str::to_owned))
                    .collect(),
                possible_types: list(&t["possibleTypes"])
                    .iter()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect(),
            };
            types.insert(t["name"].as_str().unwrap_or_default().to_owned(), def);
        }
        let name = |v: &Value| v["name"].as_str().map(str::to_owned);
        Schema {
            types,
            query: name(&s["queryType"]).expect("a schema has a query type"),
            mutation: name(&s["mutationType"]),
        }
    }

    pub fn ty(&self, name: &str) -> &TypeDef {
        self.types.get(name).unwrap_or_else(|| panic!("introspection lists no type {name}"))
    }

    pub fn query_fields(&self) -> &[Field] {
        &self.ty(&self.query).fields
    }

    pub fn mutation_fields(&self) -> &[Field] {
        self.mutation.as_deref().map_or(&[], |m| &self.ty(m).fields)
    }

    /// The names of the object types with an `id`: what an id argument may point to.
    pub fn identified_type_names(&self) -> impl Iterator<Item = &str> {
        self.types
            .iter()
            .filter(|(_, t)| t.kind == Kind::Object && t.field("id").is_some())
            .map(|(n, _)| n.as_str())
    }

    /// The type an id-like input (`customerId`, `serviceIds`, `indirectResellerId`) points to,
    /// found as the type of an output field with the same stem (`customer: Customer`,
    /// `indirectReseller: Partner`, else `services: [Service!]!`) whose objects have ids.
    /// `None` for a bare `id`.
    pub fn type_of_id_input(&self, name: &str) -> Option<&str> {
        let stem = name.strip_suffix("Ids").or_else(|| name.strip_suffix("Id"))?;
        if stem.is_empty() {
            return None;
        }
        let plural = format!("{stem}s");
        let target_of = |wanted: &str| {
            self.types.values().flat_map(|t| &t.fields).find_map(|f| {
                let target = self.ty(f.ty.named());
                let identified =
                    matches!(target.kind, Kind::Object | Kind::Interface) && target.field("id").is_some();
                (identified && f.name == wanted).then_some(f.ty.named())
            })
        };
        target_of(stem).or_else(|| target_of(&plural))
    }

    /// Whether an argument or input field carries an object's id: typed `ID`, a bare `id`, or
    /// named after an object field (`customerId`, `serviceIds`; not `mpnId`).
    pub fn is_id_input(&self, name: &str, ty: &TypeRef) -> bool {
        ty.named() == "ID" || name == "id" || self.type_of_id_input(name).is_some()
    }

    pub fn is_leaf(&self, ty: &TypeRef) -> bool {
        matches!(self.ty(ty.named()).kind, Kind::Scalar | Kind::Enum)
    }

    /// A selection set for a field of type `ty` (empty for scalars): every scalar and enum field
    /// that needs no argument, objects `depth` levels further down, connections as `totalCount`
    /// and `edges { node { id } }`, and `__typename` for unions and interfaces.
    pub fn selection(&self, ty: &TypeRef, depth: usize) -> String {
        let def = self.ty(ty.named());
        match def.kind {
            Kind::Scalar | Kind::Enum | Kind::InputObject => String::new(),
            Kind::Union => "{ __typename }".to_owned(),
            Kind::Interface => {
                let leaves = self.leaf_fields(def, |_| true);
                format!("{{ __typename {} }}", leaves.join(" "))
            }
            Kind::Object => {
                if let Some(connection) = self.connection_selection(def) {
                    return connection;
                }
                let mut parts = self.leaf_fields(def, |_| true);
                if depth > 0 {
                    for f in self.object_fields(def) {
                        parts.push(format!("{} {}", f.name, self.selection(&f.ty, depth - 1)));
                    }
                }
                if parts.is_empty() {
                    parts.push("__typename".to_owned());
                }
                format!("{{ {} }}", parts.join(" "))
            }
        }
    }

    /// For collecting ids: `__typename`, `id` and `code` wherever they are, `depth` levels down.
    pub fn id_selection(&self, ty: &TypeRef, depth: usize) -> String {
        let def = self.ty(ty.named());
        match def.kind {
            Kind::Scalar | Kind::Enum | Kind::InputObject => String::new(),
            Kind::Union => "{ __typename }".to_owned(),
            Kind::Interface | Kind::Object => {
                let mut parts = vec!["__typename".to_owned()];
                parts.extend(self.leaf_fields(def, |name| name == "id" || name == "code"));
                if depth > 0 && def.kind == Kind::Object {
                    for f in self.object_fields(def) {
                        parts.push(format!("{} {}", f.name, self.id_selection(&f.ty, depth - 1)));
                    }
                }
                format!("{{ {} }}", parts.join(" "))
            }
        }
    }

    fn connection_selection(&self, def: &TypeDef) -> Option<String> {
        let edges = def.field("edges")?;
        def.field("pageInfo")?;
        let node = self.ty(edges.ty.named()).field("node")?;
        let node_id = if self.ty(node.ty.named()).field("id").is_some() { "id" } else { "__typename" };
        let total = if def.field("totalCount").is_some() { "totalCount" } else { "" };
        Some(format!("{{ {total} edges {{ node {{ {node_id} }} }} }}"))
    }

    /// Scalar and enum fields that need no argument, whose name passes `keep`.
    fn leaf_fields(&self, def: &TypeDef, keep: impl Fn(&str) -> bool) -> Vec<String> {
        def.fields
            .iter()
            .filter(|f| self.is_leaf(&f.ty) && !f.args.iter().any(InputValue::required) && keep(&f.name))
            .map(|f| f.name.clone())
            .collect()
    }

    /// Object, interface and union fields that need no argument.
    pub fn object_fields<'a>(&'a self, def: &'a TypeDef) -> impl Iterator<Item = &'a Field> {
        def.fields.iter().filter(|f| !self.is_leaf(&f.ty) && !f.args.iter().any(InputValue::required))
    }
}

/// A whole request for one root field: `query($a: ID!) { f(a: $a) { … } }`, with a variable for
/// every argument given (so the values go through variable coercion, not literal parsing).
pub fn request(
    schema: &Schema,
    operation: &str,
    field: &Field,
    args: &[(String, Value)],
    depth: usize,
) -> String {
    let defs: Vec<String> = args
        .iter()
        .map(|(name, _)| {
            let arg = field.args.iter().find(|a| &a.name == name).expect("an argument of the field");
            format!("${name}: {}", arg.ty)
        })
        .collect();
    let uses: Vec<String> = args.iter().map(|(name, _)| format!("{name}: ${name}")).collect();
    let defs = if defs.is_empty() { String::new() } else { format!("({})", defs.join(", ")) };
    let uses = if uses.is_empty() { String::new() } else { format!("({})", uses.join(", ")) };
    let selection = schema.selection(&field.ty, depth);
    format!("{operation}{defs} {{ {}{uses} {selection} }}", field.name)
}

/// The variables object for [`request`].
pub fn variables(args: &[(String, Value)]) -> Value {
    Value::Object(args.iter().cloned().collect())
}
