/**
 * Fault injection for tests: {@link ostore.ring.bft.fault.ByzantineTamper} turns a correct
 * replica's outgoing traffic into a Byzantine one. It lives in main code only so that the
 * simulator and a real replica process (started with {@code --byzantine}) share one
 * implementation of the lies they tell.
 *
 * <p>Must never be enabled by a production replica: nothing here runs unless a test or an
 * operator's explicit test-only flag builds it.
 */
package ostore.ring.bft.fault;
