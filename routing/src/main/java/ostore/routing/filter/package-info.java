/**
 * Bloom filters of GUIDs (Guava's {@code BloomFilter}, one shape per overlay), attenuated filters
 * of depth d, and the versioned filter format. Must never: send Guava's own serialized form (it
 * names its hash strategy by enum ordinal), or decode a filter of a shape other than the one asked.
 */
package ostore.routing.filter;
