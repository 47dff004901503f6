package io.omnipaxos;

import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.Storage;
import java.util.List;

/** Placeholder while the protocol is being written. */
public final class OmniPaxos<T> {

    OmniPaxos(OmniPaxosConfig config, Storage<T> storage) {
        throw new UnsupportedOperationException("being written");
    }

    public void append(T entry) {}

    public void handleIncoming(Message<T> message) {}

    public List<Message<T>> outgoingMessages() {
        return List.of();
    }
}
