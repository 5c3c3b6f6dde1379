"""Go semantics kubehash must reproduce exactly: a small type model, go-spew ``%#v``,
``encoding/json`` marshalling and FNV-1a. Nothing here knows Kubernetes."""
