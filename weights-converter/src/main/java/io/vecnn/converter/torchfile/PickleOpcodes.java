package io.vecnn.converter.torchfile;

/** The pickle opcodes torch.save, torch.jit.save and Python 2 write (protocols 2 to 5), by byte value. */
final class PickleOpcodes {
    static final int MARK = '(';
    static final int STOP = '.';
    static final int BININT = 'J';
    static final int BININT1 = 'K';
    static final int BININT2 = 'M';
    static final int NONE = 'N';
    static final int BINPERSID = 'Q';
    static final int REDUCE = 'R';
    static final int BINSTRING = 'T';
    static final int SHORT_BINSTRING = 'U';
    static final int BINUNICODE = 'X';
    static final int APPEND = 'a';
    static final int BUILD = 'b';
    static final int GLOBAL = 'c';
    static final int DICT = 'd';
    static final int APPENDS = 'e';
    static final int BINGET = 'h';
    static final int LONG_BINGET = 'j';
    static final int LIST = 'l';
    static final int BINPUT = 'q';
    static final int LONG_BINPUT = 'r';
    static final int SETITEM = 's';
    static final int TUPLE = 't';
    static final int SETITEMS = 'u';
    static final int EMPTY_DICT = '}';
    static final int EMPTY_LIST = ']';
    static final int EMPTY_TUPLE = ')';
    static final int BINFLOAT = 'G';
    static final int PROTO = 0x80;
    static final int TUPLE1 = 0x85;
    static final int TUPLE2 = 0x86;
    static final int TUPLE3 = 0x87;
    static final int NEWTRUE = 0x88;
    static final int NEWFALSE = 0x89;
    static final int LONG1 = 0x8a;
    static final int BINBYTES = 'B';
    static final int SHORT_BINBYTES = 'C';
    static final int SHORT_BINUNICODE = 0x8c;
    static final int BINUNICODE8 = 0x8d;
    static final int STACK_GLOBAL = 0x93;
    static final int MEMOIZE = 0x94;
    static final int FRAME = 0x95;
    static final int NEWOBJ = 0x81;
    static final int LONG4 = 0x8b;
    static final int BINBYTES8 = 0x8e;
    static final int EMPTY_SET = 0x8f;
    static final int ADDITEMS = 0x90;
    static final int FROZENSET = 0x91;
    static final int NEWOBJ_EX = 0x92;
    static final int POP = '0';
    static final int POP_MARK = '1';
    static final int DUP = '2';

    private PickleOpcodes() {}

    /** The opcode's name as Python's pickletools prints it, or its hex value when it is not one we read. */
    static String name(int op) {
        switch (op) {
            case MARK:
                return "MARK";
            case STOP:
                return "STOP";
            case BININT:
                return "BININT";
            case BININT1:
                return "BININT1";
            case BININT2:
                return "BININT2";
            case NONE:
                return "NONE";
            case BINPERSID:
                return "BINPERSID";
            case REDUCE:
                return "REDUCE";
            case BINSTRING:
                return "BINSTRING";
            case SHORT_BINSTRING:
                return "SHORT_BINSTRING";
            case BINUNICODE:
                return "BINUNICODE";
            case APPEND:
                return "APPEND";
            case BUILD:
                return "BUILD";
            case GLOBAL:
                return "GLOBAL";
            case DICT:
                return "DICT";
            case APPENDS:
                return "APPENDS";
            case BINGET:
                return "BINGET";
            case LONG_BINGET:
                return "LONG_BINGET";
            case LIST:
                return "LIST";
            case BINPUT:
                return "BINPUT";
            case LONG_BINPUT:
                return "LONG_BINPUT";
            case SETITEM:
                return "SETITEM";
            case TUPLE:
                return "TUPLE";
            case SETITEMS:
                return "SETITEMS";
            case EMPTY_DICT:
                return "EMPTY_DICT";
            case EMPTY_LIST:
                return "EMPTY_LIST";
            case EMPTY_TUPLE:
                return "EMPTY_TUPLE";
            case BINFLOAT:
                return "BINFLOAT";
            case PROTO:
                return "PROTO";
            case TUPLE1:
                return "TUPLE1";
            case TUPLE2:
                return "TUPLE2";
            case TUPLE3:
                return "TUPLE3";
            case NEWTRUE:
                return "NEWTRUE";
            case NEWFALSE:
                return "NEWFALSE";
            case LONG1:
                return "LONG1";
            case BINBYTES:
                return "BINBYTES";
            case SHORT_BINBYTES:
                return "SHORT_BINBYTES";
            case SHORT_BINUNICODE:
                return "SHORT_BINUNICODE";
            case BINUNICODE8:
                return "BINUNICODE8";
            case STACK_GLOBAL:
                return "STACK_GLOBAL";
            case MEMOIZE:
                return "MEMOIZE";
            case FRAME:
                return "FRAME";
            case NEWOBJ:
                return "NEWOBJ";
            case LONG4:
                return "LONG4";
            case BINBYTES8:
                return "BINBYTES8";
            case EMPTY_SET:
                return "EMPTY_SET";
            case ADDITEMS:
                return "ADDITEMS";
            case FROZENSET:
                return "FROZENSET";
            case NEWOBJ_EX:
                return "NEWOBJ_EX";
            case POP:
                return "POP";
            case POP_MARK:
                return "POP_MARK";
            case DUP:
                return "DUP";
            default:
                return String.format("0x%02x", op);
        }
    }
}
