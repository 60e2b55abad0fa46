/**
 * Archive manifests: the deterministic plan of a version's archive (block table with the dedup
 * rule, stripes, rendezvous placement), the manifest format bound to the VGUID through the version
 * root it carries, and the Merkle root over its fragment names. Must never depend on anything that
 * differs between correct replicas (clocks, which nodes were up, which signatures arrived), so
 * every replica writes the same manifest under the same name.
 */
package ostore.archive.manifest;
