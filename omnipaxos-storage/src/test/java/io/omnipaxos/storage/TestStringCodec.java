package io.omnipaxos.storage;

import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** A UTF-8 codec for the storage tests (the core's ready-made codecs are written elsewhere). */
public final class TestStringCodec implements EntryCodec<String> {

    @Override
    public void encode(String entry, ByteBuffer out) {
        out.put(entry.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int encodedSize(String entry) {
        return entry.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String decode(ByteBuffer in) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new DecodeException("not UTF-8: " + e.getMessage(), e);
        }
    }
}
