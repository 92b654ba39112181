package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.vecnn.converter.torchfile.PickleOpcodes.*;

/**
 * A pickle interpreter that executes nothing. It understands the opcodes torch.save, torch.jit.save and
 * Python 2 write and builds plain Java values: str → String, int → Long (BigInteger past 64 bits),
 * float → Double, bool → Boolean, None → null, bytes → byte[], list → ArrayList, tuple →
 * {@link PickleTuple}, dict and OrderedDict → LinkedHashMap (insertion order), set → LinkedHashSet,
 * tensors → {@link TensorRef}, instances of other classes → {@link PickleObject}. Globals resolve only
 * through {@link PickleGlobals}, and every resource the file could inflate (stack, memo, values, string
 * lengths) is bounded. Nothing here recurses, so however deep the file nests its values, building them
 * cannot overflow the Java stack.
 */
public final class PickleVm {
    static final int MAX_STACK = 1_000_000;
    static final int MAX_MEMO = 1_000_000;
    static final long MAX_VALUES = 50_000_000L;
    private static final int HIGHEST_PROTOCOL = 5;
    /** A 1024-byte integer is already far beyond any count or size; longer ones only cost time to convert. */
    private static final int MAX_LONG_BYTES = 1024;

    private final PickleInput in;
    private final PersistentLoader persistentLoader;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private long values;

    private PickleVm(PickleInput in, PersistentLoader persistentLoader) {
        this.in = in;
        this.persistentLoader = persistentLoader;
    }

    /** Runs the pickle to its STOP opcode and returns the value it built. */
    public static Object load(byte[] pickle, PersistentLoader persistentLoader) {
        return load(new PickleInput(pickle), persistentLoader);
    }

    /** Runs the pickle that starts at the input's position; the input is left just after its STOP. */
    static Object load(PickleInput in, PersistentLoader persistentLoader) {
        return new PickleVm(in, persistentLoader).run();
    }

    private Object run() {
        while (true) {
            int at = in.position();
            if (in.atEnd()) {
                throw new VecnnException("pickle truncated at byte " + at + ": it ends without a STOP opcode");
            }
            int op = in.u8();
            in.begin(at, PickleOpcodes.name(op));
            if (op == STOP) {
                return pop(at, op);
            }
            step(op, at);
        }
    }

    private void step(int op, int at) {
        switch (op) {
            case PROTO -> {
                int protocol = in.u8();
                if (protocol < 2 || protocol > HIGHEST_PROTOCOL) {
                    throw new VecnnException("pickle protocol " + protocol + " at byte " + at + " is not one of 2 to "
                            + HIGHEST_PROTOCOL);
                }
            }
            case FRAME -> in.checkFrame(in.s64());
            case MARK -> pushMark(at);
            case NONE -> push(null, at);
            case NEWTRUE -> push(Boolean.TRUE, at);
            case NEWFALSE -> push(Boolean.FALSE, at);
            case BININT -> push((long) in.s32(), at);
            case BININT1 -> push((long) in.u8(), at);
            case BININT2 -> push((long) in.u16(), at);
            case LONG1 -> push(littleEndianInt(in.bytes(in.u8())), at);
            case LONG4 -> {
                int n = in.s32();
                if (n < 0 || n > MAX_LONG_BYTES) {
                    throw new VecnnException("pickle LONG4 at byte " + at + " declares a " + n
                            + "-byte integer; no count or size in a model file needs more than " + MAX_LONG_BYTES);
                }
                push(littleEndianInt(in.bytes(n)), at);
            }
            case BINFLOAT -> push(in.f64BigEndian(), at);
            case BINUNICODE -> push(in.utf8(in.u32()), at);
            case SHORT_BINUNICODE -> push(in.utf8(in.u8()), at);
            case BINUNICODE8 -> push(in.utf8(in.s64()), at);
            case BINSTRING -> push(in.python2Str(in.u32()), at);
            case SHORT_BINSTRING -> push(in.python2Str(in.u8()), at);
            case BINBYTES -> push(in.bytes(in.u32()), at);
            case BINBYTES8 -> push(in.bytes(in.s64()), at);
            case SHORT_BINBYTES -> push(in.bytes(in.u8()), at);
            case EMPTY_TUPLE -> push(new PickleTuple(List.of()), at);
            case TUPLE1 -> push(new PickleTuple(popN(1, at, op)), at);
            case TUPLE2 -> push(new PickleTuple(popN(2, at, op)), at);
            case TUPLE3 -> push(new PickleTuple(popN(3, at, op)), at);
            case TUPLE -> push(new PickleTuple(popToMark(at, op)), at);
            case EMPTY_LIST -> push(new ArrayList<>(), at);
            case LIST -> push(new ArrayList<>(popToMark(at, op)), at);
            case EMPTY_DICT -> push(new LinkedHashMap<>(), at);
            case DICT -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, popToMark(at, op), at);
                push(dict, at);
            }
            case APPEND -> {
                Object item = pop(at, op);
                list(peek(at, op), at).add(item);
            }
            case APPENDS -> {
                List<Object> items = popToMark(at, op);
                list(peek(at, op), at).addAll(items);
            }
            case SETITEM -> {
                Object value = pop(at, op);
                Object key = pop(at, op);
                putPairs(dict(peek(at, op), at), Arrays.asList(key, value), at);
            }
            case SETITEMS -> {
                List<Object> pairs = popToMark(at, op);
                putPairs(dict(peek(at, op), at), pairs, at);
            }
            case EMPTY_SET -> push(new LinkedHashSet<>(), at);
            case ADDITEMS -> {
                List<Object> items = popToMark(at, op);
                addAll(set(peek(at, op), at), items, at);
            }
            case FROZENSET -> {
                Set<Object> set = new LinkedHashSet<>();
                addAll(set, popToMark(at, op), at);
                push(set, at);
            }
            case POP -> {
                // After a MARK the values above it form their own stack; popping an empty one drops the MARK.
                if (stack.size() > floor()) {
                    pop(at, op);
                } else {
                    popToMark(at, op);
                }
            }
            case POP_MARK -> popToMark(at, op);
            case DUP -> push(peek(at, op), at);
            case BINPUT -> memoize(in.u8(), at, op);
            case LONG_BINPUT -> memoize(in.u32(), at, op);
            case MEMOIZE -> memoize(memo.size(), at, op);
            case BINGET -> push(recall(in.u8(), at), at);
            case LONG_BINGET -> push(recall(in.u32(), at), at);
            case GLOBAL -> {
                String module = in.line();
                String name = in.line();
                push(PickleGlobals.resolve(module, name, at), at);
            }
            case STACK_GLOBAL -> {
                Object name = pop(at, op);
                Object module = pop(at, op);
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw new VecnnException("pickle STACK_GLOBAL at byte " + at + " names a global with "
                            + PickleValues.describe(module) + " and " + PickleValues.describe(name)
                            + " instead of two str");
                }
                push(PickleGlobals.resolve((String) module, (String) name, at), at);
            }
            case REDUCE -> {
                Object args = pop(at, op);
                Object function = pop(at, op);
                push(reduce(function, args, at), at);
            }
            case NEWOBJ -> {
                Object args = pop(at, op);
                Object type = pop(at, op);
                push(PickleCallable.instantiate(type, tuple(args, "NEWOBJ", at), at), at);
            }
            case NEWOBJ_EX -> {
                // Keyword arguments would only reach the class's __new__, which never runs here.
                pop(at, op);
                Object args = pop(at, op);
                Object type = pop(at, op);
                push(PickleCallable.instantiate(type, tuple(args, "NEWOBJ_EX", at), at), at);
            }
            case BUILD -> {
                Object state = pop(at, op);
                build(peek(at, op), state, at);
            }
            case BINPERSID -> {
                Object pid = pop(at, op);
                if (persistentLoader == null) {
                    throw new VecnnException("pickle BINPERSID at byte " + at
                            + " refers to external data, which this pickle may not hold");
                }
                push(persistentLoader.load(pid, at), at);
            }
            default ->
                throw new VecnnException("unsupported pickle opcode " + PickleOpcodes.name(op) + " at byte " + at
                        + ": torch.save never writes it");
        }
    }

    /** The legacy format's magic number takes 10 bytes, so ints past 64 bits stay BigIntegers. */
    private static Object littleEndianInt(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        BigInteger v = new BigInteger(bigEndian);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private Object reduce(Object function, Object args, int at) {
        if (function instanceof UnsupportedValue) {
            // The call's result is as unsupported as the function; carry the marker to the key that holds it.
            return function;
        }
        if (function instanceof PickleCallable) {
            return ((PickleCallable) function).call(tuple(args, ((PickleCallable) function).qualifiedName(), at), at);
        }
        if (function instanceof GlobalRef) {
            GlobalRef global = (GlobalRef) function;
            if (!global.looksLikeClass()) {
                throw new VecnnException("refused call of '" + global.qualifiedName() + "' at byte " + at
                        + ": the pickle calls a function that is not on the allow-list, and a model file never"
                        + " needs one");
            }
            // A class called with arguments: described, never constructed.
            return PickleCallable.instantiate(global, tuple(args, global.qualifiedName(), at), at);
        }
        throw new VecnnException("pickle REDUCE at byte " + at + " calls " + PickleValues.describe(function)
                + ", which is not callable");
    }

    private static PickleTuple tuple(Object args, String what, int at) {
        if (!(args instanceof PickleTuple)) {
            throw new VecnnException("pickle at byte " + at + " passes " + PickleValues.describe(args)
                    + " as the arguments of " + what + ", not a tuple");
        }
        return (PickleTuple) args;
    }

    /**
     * BUILD sets an object's state. Objects keep it for the extraction to read; an OrderedDict's state is
     * its {@code _metadata} and an old Parameter's its autograd flags, neither of which VecNN needs.
     */
    private static void build(Object target, Object state, int at) {
        if (target instanceof PickleObject) {
            ((PickleObject) target).setState(state);
        } else if (!(target instanceof Map)
                && !(target instanceof TensorRef)
                && !(target instanceof UnsupportedValue)) {
            throw new VecnnException("pickle BUILD at byte " + at + " sets the state of "
                    + PickleValues.describe(target) + ", which has none");
        }
    }

    private void putPairs(Map<Object, Object> dict, List<Object> pairs, int at) {
        if (pairs.size() % 2 != 0) {
            throw new VecnnException(
                    "pickle dict at byte " + at + " has an odd number of keys and values (" + pairs.size() + ")");
        }
        for (int i = 0; i < pairs.size(); i += 2) {
            Object key = pairs.get(i);
            PickleValues.checkKey(key, at);
            dict.put(key, pairs.get(i + 1));
        }
    }

    private static void addAll(Set<Object> set, List<Object> items, int at) {
        for (Object item : items) {
            PickleValues.checkKey(item, at);
            set.add(item);
        }
    }

    /** A list, or the elements of an object whose class is a list subclass. */
    @SuppressWarnings("unchecked")
    private static List<Object> list(Object target, int at) {
        if (target instanceof ArrayList) {
            return (List<Object>) target;
        }
        if (target instanceof PickleObject) {
            return ((PickleObject) target).elements();
        }
        throw new VecnnException(
                "pickle APPEND at byte " + at + " appends to " + PickleValues.describe(target) + ", not a list");
    }

    /** A dict, or the items of an object whose class is a dict subclass. */
    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object target, int at) {
        if (target instanceof Map) {
            return (Map<Object, Object>) target;
        }
        if (target instanceof PickleObject) {
            return ((PickleObject) target).items();
        }
        throw new VecnnException(
                "pickle SETITEM at byte " + at + " stores into " + PickleValues.describe(target) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> set(Object target, int at) {
        if (!(target instanceof Set)) {
            throw new VecnnException(
                    "pickle ADDITEMS at byte " + at + " adds to " + PickleValues.describe(target) + ", not a set");
        }
        return (Set<Object>) target;
    }

    private void memoize(long index, int at, int op) {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw new VecnnException("pickle memo exceeds " + MAX_MEMO + " entries at byte " + at);
        }
        memo.put(index, peek(at, op));
    }

    private Object recall(long index, int at) {
        Object v = memo.get(index);
        if (v == null && !memo.containsKey(index)) {
            throw new VecnnException(
                    "pickle reads memo entry " + index + " at byte " + at + " but nothing was stored there");
        }
        return v;
    }

    private void push(Object v, int at) {
        if (stack.size() >= MAX_STACK) {
            throw new VecnnException("pickle stack exceeds " + MAX_STACK + " values at byte " + at);
        }
        if (++values > MAX_VALUES) {
            throw new VecnnException("pickle builds more than " + MAX_VALUES + " values (at byte " + at + ")");
        }
        stack.add(v);
    }

    private Object pop(int at, int op) {
        if (stack.size() <= floor()) {
            throw underflow(at, op);
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(int at, int op) {
        if (stack.size() <= floor()) {
            throw underflow(at, op);
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n, int at, int op) {
        if (stack.size() - floor() < n) {
            throw underflow(at, op);
        }
        List<Object> tail = stack.subList(stack.size() - n, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    private void pushMark(int at) {
        if (markCount >= MAX_STACK) {
            throw new VecnnException("pickle has more than " + MAX_STACK + " open MARKs at byte " + at);
        }
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markCount++] = stack.size();
    }

    private List<Object> popToMark(int at, int op) {
        if (markCount == 0) {
            throw new VecnnException("pickle " + PickleOpcodes.name(op) + " at byte " + at + " has no MARK before it");
        }
        int mark = marks[--markCount];
        List<Object> tail = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    /** Values below the innermost MARK belong to an enclosing construct; an opcode may not take them. */
    private int floor() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private static VecnnException underflow(int at, int op) {
        return new VecnnException(
                "pickle " + PickleOpcodes.name(op) + " at byte " + at + " finds too few values on the stack");
    }
}
