package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a pickle global resolves to. Naming a global is how a malicious .pth reaches code, so modules that
 * can touch the system are refused outright, whatever the pickle would do with them; the allow-listed
 * functions become {@link PickleCallable}s; storage classes their {@link DType}; PyTorch constructs that
 * are legitimate but unsupported an {@link UnsupportedValue} (so the error can name the key that holds
 * them); and everything else, such as a model's own classes, an inert {@link GlobalRef} that is never
 * looked up.
 */
final class PickleGlobals {

    static final String QUANTIZED_ADVICE = "quantized models are not supported; convert the float model";
    private static final String SPARSE_ADVICE = "sparse tensors are not supported; save t.to_dense() instead";

    private static final Map<String, UnsupportedValue> UNSUPPORTED = Map.ofEntries(
            unsupported("torch._utils._rebuild_qtensor", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.per_tensor_affine", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.per_channel_affine", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.per_channel_affine_float_qparams", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.per_tensor_symmetric", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.per_channel_symmetric", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.qint8", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.quint8", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.qint32", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.quint4x2", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.quint2x4", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.QInt8Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.QUInt8Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.QInt32Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.QUInt4x2Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.QUInt2x4Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch._utils._rebuild_sparse_tensor", "a sparse tensor", SPARSE_ADVICE),
            unsupported("torch._utils._rebuild_sparse_csr_tensor", "a sparse tensor", SPARSE_ADVICE),
            unsupported("torch.sparse_coo", "a sparse tensor", SPARSE_ADVICE),
            unsupported("torch.sparse_csr", "a sparse tensor", SPARSE_ADVICE),
            unsupported(
                    "torch._utils._rebuild_meta_tensor_no_storage",
                    "a tensor on the meta device",
                    "a meta tensor has a shape but no values; save the model after loading real weights"),
            unsupported(
                    "torch._utils._rebuild_device_tensor_from_numpy",
                    "a tensor of an accelerator backend",
                    "move the model to the CPU before saving"),
            unsupported(
                    "torch._utils._rebuild_wrapper_subclass",
                    "a tensor subclass without storage",
                    "save a plain tensor instead"),
            unsupported("torch.ComplexFloatStorage", "a complex tensor", "complex tensors are not supported"),
            unsupported("torch.ComplexDoubleStorage", "a complex tensor", "complex tensors are not supported"),
            unsupported("torch.ComplexHalfStorage", "a complex tensor", "complex tensors are not supported"));

    /** Modules whose globals reach the operating system, the interpreter or the network: attacks, not models. */
    private static final Set<String> DANGEROUS_MODULES = Set.of(
            "os",
            "posix",
            "nt",
            "posixpath",
            "ntpath",
            "subprocess",
            "_posixsubprocess",
            "commands",
            "popen2",
            "pty",
            "sys",
            "builtins",
            "__builtin__",
            "shutil",
            "socket",
            "_socket",
            "ssl",
            "select",
            "selectors",
            "importlib",
            "imp",
            "zipimport",
            "pkgutil",
            "runpy",
            "code",
            "codeop",
            "ctypes",
            "_ctypes",
            "cffi",
            "pickle",
            "_pickle",
            "cPickle",
            "pickletools",
            "copyreg",
            "copy_reg",
            "dill",
            "cloudpickle",
            "joblib",
            "marshal",
            "shelve",
            "types",
            "inspect",
            "gc",
            "weakref",
            "operator",
            "functools",
            "itertools",
            "io",
            "_io",
            "pathlib",
            "tempfile",
            "glob",
            "fileinput",
            "codecs",
            "_codecs",
            "webbrowser",
            "urllib",
            "urllib2",
            "urllib3",
            "http",
            "httplib",
            "ftplib",
            "smtplib",
            "telnetlib",
            "requests",
            "asyncio",
            "threading",
            "_thread",
            "thread",
            "multiprocessing",
            "concurrent",
            "signal",
            "platform",
            "sysconfig",
            "site",
            "distutils",
            "setuptools",
            "pip",
            "venv",
            "ensurepip",
            "pdb",
            "bdb",
            "trace",
            "timeit",
            "profile",
            "cProfile",
            "logging",
            "zipfile",
            "tarfile",
            "gzip",
            "bz2",
            "lzma",
            "sqlite3",
            "dbm",
            "ast",
            "compileall",
            "py_compile",
            "atexit",
            "resource",
            "mmap",
            "fcntl",
            "termios",
            "tty",
            "grp",
            "pwd",
            "crypt");

    /** Parts of torch and numpy that load files, compile code or call into native code. */
    private static final Set<String> DANGEROUS_PACKAGES = Set.of(
            "torch.hub",
            "torch.serialization",
            "torch._C",
            "torch.ops",
            "torch.package",
            "torch.library",
            "torch.utils.cpp_extension",
            "torch.jit._serialization",
            "torch.classes",
            "torch._dynamo",
            "torch.fx",
            "numpy.lib",
            "numpy.ctypeslib",
            "numpy.distutils",
            "numpy.f2py",
            "numpy.testing");

    /** Except these globals of refused modules, which only name values. */
    private static final Set<String> SAFE_IN_DANGEROUS_MODULES = Set.of(
            "builtins.set",
            "__builtin__.set",
            "builtins.frozenset",
            "__builtin__.frozenset",
            "builtins.object",
            "__builtin__.object",
            "copyreg._reconstructor",
            "copy_reg._reconstructor",
            "copyreg.__newobj__",
            "copy_reg.__newobj__");

    private static final Pattern MODULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private PickleGlobals() {}

    /** A {@link PickleCallable}, a storage {@link DType}, an {@link UnsupportedValue} or a {@link GlobalRef}. */
    static Object resolve(String module, String name, int at) {
        String qualified = module + "." + name;
        if (!MODULE.matcher(module).matches() || !NAME.matcher(name).matches()) {
            // Dotted names (protocol 4 qualnames) walk attributes, which is a way around the module checks.
            throw new VecnnException("refused pickle global '" + printable(qualified) + "' at byte " + at
                    + ": not a Python module and name");
        }
        if (isDangerous(module) && !SAFE_IN_DANGEROUS_MODULES.contains(qualified)) {
            throw new VecnnException("refused pickle global '" + qualified + "' at byte " + at
                    + ": a model file never needs it (the file may be malicious)");
        }
        PickleCallable callable = PickleCallable.byName(qualified);
        if (callable != null) {
            return callable;
        }
        if (module.equals("torch")) {
            DType storage = DType.ofStorageClass(name);
            if (storage != null) {
                return storage;
            }
        }
        UnsupportedValue unsupported = UNSUPPORTED.get(qualified);
        if (unsupported != null) {
            return unsupported;
        }
        return new GlobalRef(module, name);
    }

    private static boolean isDangerous(String module) {
        int dot = module.indexOf('.');
        if (DANGEROUS_MODULES.contains(dot < 0 ? module : module.substring(0, dot))) {
            return true;
        }
        for (String p : DANGEROUS_PACKAGES) {
            if (module.equals(p) || module.startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }

    /** A name from the file, shortened and with control characters escaped, fit for a one-line message. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 120; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return s.length() > 120 ? sb + "..." : sb.toString();
    }

    private static Map.Entry<String, UnsupportedValue> unsupported(String global, String kind, String advice) {
        return Map.entry(global, new UnsupportedValue(global, kind, advice));
    }
}
