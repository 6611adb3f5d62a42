package dev.logcast.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One SSE connection: sends the GET, reads the response head, undoes chunked framing (RFC 9112 §7.1) and scans the
 * event stream (WHATWG HTML §9.2.6) straight out of Netty's buffers. It reads only what it needs: {@code id:} values
 * (for {@code Last-Event-ID}), the payload after {@code ~L} in {@code data:} lines, the first letter of
 * {@code event:} values ({@code overflow}, {@code gap}) and blank lines, which dispatch. Field names and the payload go
 * through a byte-at-a-time state machine ({@link #process(byte)}); the long stretches (the JSON around the payload,
 * ids, comments) are skipped eight bytes at a time by {@link ByteScan}. No strings, no JSON, no copies beyond the id.
 *
 * <pre>
 *   p.addLast(new SseSubscriber(subscribers, state));   // the whole pipeline
 * </pre>
 *
 * <b>Owner:</b> the subscribers' event loop. Not thread-safe.
 */
final class SseSubscriber extends ChannelInboundHandlerAdapter {

    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private static final int LINE_START = 0;
    private static final int NAME = 1;
    private static final int VALUE_START = 2;
    private static final int DATA_VALUE = 3;
    private static final int ID_VALUE = 4;
    private static final int EVENT_VALUE = 5;
    private static final int SKIP_LINE = 6;

    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
    private static final byte[] ID = {'i', 'd', ':'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't', ':'};

    private static final int CHUNK_SIZE = 0;
    private static final int CHUNK_EXTENSION = 1;
    private static final int CHUNK_DATA_END = 2;
    private static final int CHUNK_LAST = 3;

    private final Subscribers owner;
    private final SubscriberState state;
    private final ResponseHead responseHead = new ResponseHead();
    private ByteBuf head;
    private boolean inBody;
    private boolean chunked;
    private int chunkState;
    private long chunkSize;
    private long chunkRemaining;

    private int lineState = LINE_START;
    private byte[] name;
    private int namePosition;
    private int valueState;
    private final byte[] id = new byte[SubscriberState.MAX_ID_BYTES];
    private int idLength;
    /** An {@code id:} line ended since the last dispatch: {@code id[0..completeIdLength)} is its value. */
    private boolean idPending;
    private int completeIdLength;

    /** 0: looking for '~'; 1: saw '~'; 2..: hex digits of the payload read so far, plus 2. */
    private int marker;
    private long accumulator;
    private long nonce;
    private long publisher;
    private long seq;
    private long time;
    private boolean hasPayload;
    private long readNanos;

    SseSubscriber(Subscribers owner, SubscriberState state) {
        this.owner = owner;
        this.state = state;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(owner.subscribeRequest(state)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            readNanos = System.nanoTime();
            if (inBody) {
                body(buf, buf.readerIndex(), buf.writerIndex());
                return;
            }
            if (head == null) {
                head = ctx.alloc().heapBuffer(1024);
            }
            head.writeBytes(buf);
            if (!responseHead.parse(head)) {
                if (head.readableBytes() > MAX_HEAD_BYTES) {
                    throw new IllegalStateException("response head over " + MAX_HEAD_BYTES + " bytes");
                }
                return;
            }
            if (responseHead.status != 200) {
                owner.onRefused(state, responseHead.status);
                ctx.close();
                return;
            }
            inBody = true;
            chunked = responseHead.chunked;
            owner.onSubscribed(state);
            body(head, responseHead.bodyStart, head.writerIndex());
            head.release();
            head = null;
        } finally {
            buf.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (head != null) {
            head.release();
            head = null;
        }
        owner.onInactive(state, inBody);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        owner.onError(cause);
        ctx.close();
    }

    private void body(ByteBuf buf, int from, int to) {
        if (!chunked) {
            scan(buf, from, to);
            return;
        }
        int i = from;
        while (i < to) {
            if (chunkRemaining > 0) {
                int n = (int) Math.min(chunkRemaining, to - i);
                scan(buf, i, i + n);
                i += n;
                chunkRemaining -= n;
                continue;
            }
            byte b = buf.getByte(i++);
            switch (chunkState) {
                case CHUNK_SIZE -> {
                    int d = EventLayout.hexValue((byte) Character.toLowerCase(b));
                    if (d >= 0) {
                        chunkSize = chunkSize * 16 + d;
                    } else if (b == '\n') {
                        chunkHeaderDone();
                    } else if (b != '\r') {
                        chunkState = CHUNK_EXTENSION;
                    }
                }
                case CHUNK_EXTENSION -> {
                    if (b == '\n') {
                        chunkHeaderDone();
                    }
                }
                case CHUNK_DATA_END -> {
                    if (b == '\n') {
                        chunkState = CHUNK_SIZE;
                        chunkSize = 0;
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    private void chunkHeaderDone() {
        if (chunkSize == 0) {
            chunkState = CHUNK_LAST;
        } else {
            chunkRemaining = chunkSize;
            chunkState = CHUNK_DATA_END;
        }
    }

    /** Scans {@code [from, to)} of the event stream. */
    private void scan(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to) {
            switch (lineState) {
                case DATA_VALUE -> i = dataValue(buf, i, to);
                case ID_VALUE -> i = idValue(buf, i, to);
                case SKIP_LINE -> i = skipLine(buf, i, to);
                default -> process(buf.getByte(i++));
            }
        }
    }

    private int skipLine(ByteBuf buf, int i, int to) {
        int lf = ByteScan.indexOf(buf, i, to, (byte) '\n');
        if (lf < 0) {
            return to;
        }
        lineState = LINE_START;
        return lf + 1;
    }

    /** A data line: jump to the payload marker, read the payload digits one by one, jump to the end of the line. */
    private int dataValue(ByteBuf buf, int i, int to) {
        if (marker > 0) {
            process(buf.getByte(i));
            return i + 1;
        }
        int hit = hasPayload
                ? ByteScan.indexOf(buf, i, to, (byte) '\n')
                : ByteScan.indexOfEither(buf, i, to, (byte) '\n', EventLayout.MARKER);
        if (hit < 0) {
            return to;
        }
        if (buf.getByte(hit) == EventLayout.MARKER) {
            if (!hasPayload && hit + EventLayout.PAYLOAD_BYTES <= to && readPayload(buf, hit + 1)) {
                return hit + EventLayout.PAYLOAD_BYTES;
            }
            marker = 1;
        } else {
            lineState = LINE_START;
        }
        return hit + 1;
    }

    /**
     * The payload after the marker at {@code at - 1}, read in one go when it lies whole in the buffer; {@code false}
     * when it is not a well-formed payload, which the byte-at-a-time path then reads (and reports).
     */
    private boolean readPayload(ByteBuf buf, int at) {
        if (buf.getByte(at) != EventLayout.TAG) {
            return false;
        }
        int i = at + 1;
        long n = ByteScan.hex(buf, i, EventLayout.NONCE_DIGITS);
        i += EventLayout.NONCE_DIGITS;
        long p = ByteScan.hex(buf, i, EventLayout.PUBLISHER_DIGITS);
        i += EventLayout.PUBLISHER_DIGITS;
        long s = ByteScan.hex(buf, i, EventLayout.SEQ_DIGITS);
        i += EventLayout.SEQ_DIGITS;
        long t = ByteScan.hex(buf, i, EventLayout.TIME_DIGITS);
        if ((n | p | s | t) < 0) {
            return false;
        }
        nonce = n;
        publisher = p;
        seq = s;
        time = t;
        hasPayload = true;
        marker = 0;
        return true;
    }

    private int idValue(ByteBuf buf, int i, int to) {
        int lf = ByteScan.indexOf(buf, i, to, (byte) '\n');
        int end = lf < 0 ? to : lf;
        int n = Math.min(end - i, id.length - idLength);
        if (n > 0) {
            buf.getBytes(i, id, idLength, n);
            idLength += n;
        }
        if (lf < 0) {
            return to;
        }
        endOfId();
        return lf + 1;
    }

    /**
     * An {@code id:} line is complete: it becomes the stream's last event id when its event is dispatched (WHATWG
     * HTML §9.2.6), not before. A connection cut between the two must resume from the event before, or the one whose
     * id arrived without its data would be skipped.
     */
    private void endOfId() {
        completeIdLength = idLength > 0 && id[idLength - 1] == '\r' ? idLength - 1 : idLength;
        idPending = true;
        lineState = LINE_START;
    }

    /** One byte of the stream, for the short stretches: line starts, field names, payload digits. */
    private void process(byte b) {
        switch (lineState) {
            case LINE_START -> lineStart(b);
            case NAME -> {
                if (b == name[namePosition]) {
                    if (++namePosition == name.length) {
                        lineState = VALUE_START;
                    }
                } else {
                    lineState = b == '\n' ? LINE_START : SKIP_LINE;
                }
            }
            case VALUE_START -> {
                lineState = valueState;
                if (b != ' ') {
                    process(b);
                }
            }
            case DATA_VALUE -> {
                if (b == '\n') {
                    lineState = LINE_START;
                    marker = 0;
                } else if (!hasPayload) {
                    scanPayload(b);
                }
            }
            case ID_VALUE -> {
                if (b == '\n') {
                    endOfId();
                } else if (idLength < id.length) {
                    id[idLength++] = b;
                }
            }
            case EVENT_VALUE -> {
                owner.onEventType(b);
                lineState = b == '\n' ? LINE_START : SKIP_LINE;
            }
            default -> {
                if (b == '\n') {
                    lineState = LINE_START;
                }
            }
        }
    }

    private void lineStart(byte b) {
        switch (b) {
            case '\n' -> dispatch();
            case '\r' -> { }
            case 'd' -> field(DATA, DATA_VALUE);
            case 'i' -> {
                idLength = 0;
                field(ID, ID_VALUE);
            }
            case 'e' -> field(EVENT, EVENT_VALUE);
            default -> lineState = SKIP_LINE;
        }
    }

    private void field(byte[] fieldName, int value) {
        name = fieldName;
        namePosition = 1;
        valueState = value;
        lineState = NAME;
    }

    private void scanPayload(byte b) {
        if (marker == 0) {
            if (b == EventLayout.MARKER) {
                marker = 1;
            }
            return;
        }
        if (marker == 1) {
            marker = b == EventLayout.TAG ? 2 : b == EventLayout.MARKER ? 1 : 0;
            accumulator = 0;
            return;
        }
        int d = EventLayout.hexValue(b);
        if (d < 0) {
            owner.onMalformed();
            marker = b == EventLayout.MARKER ? 1 : 0;
            return;
        }
        accumulator = accumulator << 4 | d;
        int digits = ++marker - 2;
        if (digits == EventLayout.NONCE_DIGITS) {
            nonce = accumulator;
            accumulator = 0;
        } else if (digits == EventLayout.NONCE_DIGITS + EventLayout.PUBLISHER_DIGITS) {
            publisher = accumulator;
            accumulator = 0;
        } else if (digits == EventLayout.NONCE_DIGITS + EventLayout.PUBLISHER_DIGITS + EventLayout.SEQ_DIGITS) {
            seq = accumulator;
            accumulator = 0;
        } else if (digits == EventLayout.PAYLOAD_BYTES - 2) {
            time = accumulator;
            hasPayload = true;
            marker = 0;
        }
    }

    private void dispatch() {
        if (idPending) {
            idPending = false;
            System.arraycopy(id, 0, state.lastId, 0, completeIdLength);
            state.lastIdLength = completeIdLength;
        }
        if (hasPayload) {
            hasPayload = false;
            owner.onDelivery(state, nonce, publisher, seq, time, readNanos);
        }
        marker = 0;
    }
}
