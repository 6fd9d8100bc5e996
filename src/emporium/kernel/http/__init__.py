"""HTTP plumbing shared by every context: error envelope, middleware, auth, idempotency, paging."""
