/**
 * The cryptographic vocabulary of ostore, shared by clients and servers: 32-byte digests and the
 * GUIDs built on them (AGUID, BGUID, VGUID), domain-separated SHA-256, the canonical encoding that
 * is hashed and signed, the version root and block-list Merkle root, Ed25519 keys, signatures and
 * key files, and AES-256-GCM for client-side block encryption.
 *
 * <p>Every byte layout here is a permanent format: a change breaks every stored VGUID and
 * signature, so golden tests pin them and a new layout gets a new version number or domain tag.
 *
 * <p>This package must never depend on other ostore modules, the network or clocks, and must never
 * print a secret (a {@code SigningKey} shows only its public key); its only disk access is the key
 * files. Randomness comes in as a {@code SecureRandom} argument so tests and the simulator can fix it.
 */
package ostore.crypto;
