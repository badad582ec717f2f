"""DynamoDB's PartiQL: the statements' language (lexer, parser, syntax), their translation to
the expression engine's conditions and updates (conditions, updates, values), and how each
operation runs them (statements: ExecuteStatement, batches: BatchExecuteStatement, transact:
ExecuteTransaction) through the item service and the transaction path."""
