// Package deploy holds the deployment artefacts of the product — the container image
// (Dockerfile), a single-machine stack (docker-compose.yml), the Kubernetes manifests (k8s/)
// and the database roles script (sql/roles.sql) — and the tests that keep them correct: the
// manifests are rendered with kustomize and checked for the invariants production relies on.
package deploy
