package ostore.routing.locate;

import java.util.Objects;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.overlay.Membership;

/**
 * The holder's half of the fallback rule: a node that stores a GUID tells the GUID's first
 * {@link RoutingParams#pointerReplicas()} reachable rendezvous roots, trying at most
 * {@link RoutingParams#fallbackRanks()} ranks, and says so again every
 * {@link RoutingParams#republishEveryRounds()} rounds. Pointers are soft state: a root drops one
 * not refreshed within {@link RoutingParams#pointerTtlRounds()}, so pointers to a holder that
 * crashed lapse, and roots that joined since are filled by the next republish (until then a
 * lookup walks past them to the older roots, which still hold the pointer).
 */
public final class PointerPublisher {
    private final RoutingParams params;
    private final Transport transport;

    public PointerPublisher(RoutingParams params, Transport transport) {
        this.params = Objects.requireNonNull(params, "params");
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** {@code holder} now holds (or, with {@code holds} false, no longer holds) {@code guid}. Returns roots told. */
    public int publish(NodeId holder, Hash32 guid, boolean holds, Membership membership) {
        int told = 0;
        for (NodeId root : Rendezvous.rank(guid, membership.members(), params.fallbackRanks())) {
            if (told == params.pointerReplicas()) {
                break;
            }
            if (transport.publish(holder, root, guid, holds)) {
                told++;
            }
        }
        return told;
    }

    /** Re-sends a pointer for every GUID in {@code inventory}; returns GUIDs with fewer roots than wanted. */
    public int republish(NodeId holder, Inventory inventory, Membership membership) {
        int[] underReplicated = {0};
        inventory.forEach(g -> {
            if (publish(holder, g, true, membership) < params.pointerReplicas()) {
                underReplicated[0]++;
            }
        });
        return underReplicated[0];
    }
}
