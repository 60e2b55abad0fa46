/**
 * The Byzantine-fault-tolerant replica core: PBFT over digests of updates whose payloads every
 * replica logs first (write-all), sequenced per color, with checkpoints and log trimming, view
 * change, payload fetch, state transfer from peers, retransmission, and signed per-batch results
 * that become 2f+1 certificates. {@link ostore.ring.bft.Replica} is a single-threaded state machine:
 * it sees the world only through {@link ostore.ring.bft.ReplicaEnv} (clock, network, timers,
 * replies), its {@code SharedLog} and its {@code VersionStore}, so the same code runs in the
 * deterministic simulator and in a real process. Frame formats are in {@code docs/protocol.md}.
 *
 * <p>Must never block, sleep, start a thread, read the wall clock or a random source, act on a
 * message whose signature was not verified ({@link ostore.ring.bft.Frames}), or send a message
 * before what it depends on is durable in its log.
 */
package ostore.ring.bft;
