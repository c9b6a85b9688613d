package org.cancelkit;

/** The read-only handle on a node: what callees receive. Immutable. */
final class TokenView extends CancellationToken {
    static final TokenView NEVER = new TokenView(Node.NEVER);

    private final Node node;

    TokenView(Node node) {
        this.node = node;
    }

    @Override
    Node node() {
        return node;
    }
}
