package ostore.ring;

import ostore.store.Outcome;

@FunctionalInterface
public interface ExecutionListener {
    void executed(long logPosition, Outcome outcome);
}
