"""Kubernetes semantics: per-version schemas, decode paths and hash algorithms of the kubelet."""
