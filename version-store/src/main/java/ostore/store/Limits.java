package ostore.store;

/**
 * Size limits on updates and objects, enforced before ordering and again at execution. A search
 * needle is a block's worth at most ({@code maxBlockBytes}).
 *
 * @param maxBlockBytes largest block (replace/insert data; append is cut into blocks this size)
 * @param maxUpdateBytes largest signed update body
 * @param maxClauses most clauses in one update
 * @param maxActionsPerClause most actions in one clause
 * @param maxPredicateNodes most predicate nodes (and/or/not count) in one clause
 * @param maxBlocksPerObject most blocks in one version
 */
public record Limits(
        int maxBlockBytes,
        int maxUpdateBytes,
        int maxClauses,
        int maxActionsPerClause,
        int maxPredicateNodes,
        long maxBlocksPerObject) {
    /**
     * Most writers a {@code set_acl} may name. Fixed rather than configurable: the ACL is copied
     * into every later version root, so a replica must never accept a list another would refuse.
     */
    public static final int MAX_ACL_WRITERS = 1024;

    public static final Limits DEFAULT = new Limits(64 * 1024, 32 * 1024 * 1024, 64, 1024, 256, 1L << 24);

    public Limits {
        if (maxBlockBytes < 1) {
            throw new IllegalArgumentException("maxBlockBytes (" + maxBlockBytes + ") must be >= 1");
        }
        if (maxUpdateBytes < 1 || maxClauses < 1 || maxActionsPerClause < 1 || maxPredicateNodes < 1
                || maxBlocksPerObject < 1) {
            throw new IllegalArgumentException("every limit must be >= 1");
        }
    }
}
