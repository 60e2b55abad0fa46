/**
 * The {@code ostore} command line (picocli): key generation, running a node, and client commands
 * that go through the SDK, so every read they print was verified end to end.
 *
 * <p>Owns: flag parsing, human and JSON output, exit codes. Must never: build wire messages by hand
 * (the SDK's builders do), or trust a reply it did not verify.
 */
package ostore.node.cli;
