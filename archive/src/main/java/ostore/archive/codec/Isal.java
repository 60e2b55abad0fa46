package ostore.archive.codec;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Bindings to Intel's ISA-L ({@code libisal.so.2}, Debian's {@code libisal2}) through the Foreign
 * Function & Memory API, loaded once per JVM. Only the functions of {@code erasure_code.h} the
 * codec and its tests need are bound; their C signatures are in the comments.
 *
 * <p>The JVM needs {@code --enable-native-access=ALL-UNNAMED}; without it JDK 25 warns on first
 * use and later JDKs refuse.
 */
final class Isal {
    static final String LIBRARY = "libisal.so.2";

    private static final Optional<String> PROBLEM;
    private static final String LOADED_FILE;
    private static final MethodHandle GEN_CAUCHY1_MATRIX;
    private static final MethodHandle INIT_TABLES;
    private static final MethodHandle ENCODE_DATA;
    private static final MethodHandle INVERT_MATRIX;
    private static final MethodHandle GF_MUL;
    private static final MethodHandle GF_INV;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = null;
        String problem = null;
        try {
            lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            problem = LIBRARY + " not found: " + e.getMessage();
        }
        MethodHandle[] h = new MethodHandle[6];
        if (lib != null) {
            try {
                // void gf_gen_cauchy1_matrix(unsigned char *a, int m, int k)
                h[0] = bind(linker, lib, "gf_gen_cauchy1_matrix",
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
                // void ec_init_tables(int k, int rows, unsigned char *a, unsigned char *gftbls)
                h[1] = bind(linker, lib, "ec_init_tables",
                        FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                // void ec_encode_data(int len, int k, int rows, unsigned char *gftbls,
                //                     unsigned char **data, unsigned char **coding)
                // Critical: a call covers one bounded chunk (microseconds), so skipping the
                // thread-state transition is safe and saves a visible share at 4 KiB shards.
                h[2] = linker.downcallHandle(symbol(lib, "ec_encode_data"),
                        FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
                        Linker.Option.critical(false));
                // int gf_invert_matrix(unsigned char *in, unsigned char *out, const int n)
                h[3] = bind(linker, lib, "gf_invert_matrix", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
                // unsigned char gf_mul(unsigned char a, unsigned char b)
                h[4] = bind(linker, lib, "gf_mul", FunctionDescriptor.of(JAVA_BYTE, JAVA_BYTE, JAVA_BYTE));
                // unsigned char gf_inv(unsigned char a)
                h[5] = bind(linker, lib, "gf_inv", FunctionDescriptor.of(JAVA_BYTE, JAVA_BYTE));
            } catch (IllegalArgumentException | IllegalCallerException e) {
                problem = LIBRARY + " is not usable: " + e.getMessage();
            }
        }
        PROBLEM = Optional.ofNullable(problem);
        LOADED_FILE = problem == null ? findLoadedFile() : LIBRARY;
        GEN_CAUCHY1_MATRIX = h[0];
        INIT_TABLES = h[1];
        ENCODE_DATA = h[2];
        INVERT_MATRIX = h[3];
        GF_MUL = h[4];
        GF_INV = h[5];
    }

    private Isal() {}

    /** Why ISA-L cannot be used in this JVM, or empty if it can. */
    static Optional<String> problem() {
        return PROBLEM;
    }

    /** The file the dynamic linker loaded, e.g. {@code /usr/lib/x86_64-linux-gnu/libisal.so.2.0.30}. */
    static String loadedFile() {
        return LOADED_FILE;
    }

    private static String findLoadedFile() {
        // The library says nothing of its version; the dynamic linker's choice of file does, and
        // /proc/self/maps names it. Elsewhere than Linux the soname is all there is to say.
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.indexOf('/') < 0 ? l.length() : l.indexOf('/')))
                    .filter(p -> p.contains("/libisal.so"))
                    .findFirst()
                    .map(Isal::realPath)
                    .orElse(LIBRARY);
        } catch (IOException | RuntimeException e) {
            return LIBRARY;
        }
    }

    private static String realPath(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException e) {
            return path;
        }
    }

    /** Fills {@code a} (rows x k bytes) with ISA-L's Cauchy generator. */
    static void genCauchy1Matrix(MemorySegment a, int rows, int k) {
        checkLoaded();
        try {
            GEN_CAUCHY1_MATRIX.invokeExact(a, rows, k);
        } catch (Throwable t) {
            throw failed("gf_gen_cauchy1_matrix", t);
        }
    }

    /** Expands a rows x k coefficient matrix into {@code gftbls} (32 x k x rows bytes). */
    static void initTables(int k, int rows, MemorySegment a, MemorySegment gftbls) {
        checkLoaded();
        try {
            INIT_TABLES.invokeExact(k, rows, a, gftbls);
        } catch (Throwable t) {
            throw failed("ec_init_tables", t);
        }
    }

    /** Computes rows outputs of len bytes from k inputs, through arrays of pointers. */
    static void encodeData(int len, int k, int rows, MemorySegment gftbls, MemorySegment data, MemorySegment coding) {
        checkLoaded();
        try {
            ENCODE_DATA.invokeExact(len, k, rows, gftbls, data, coding);
        } catch (Throwable t) {
            throw failed("ec_encode_data", t);
        }
    }

    /** Inverts an n x n matrix; {@code in} is destroyed. Returns 0, or nonzero if singular. */
    static int invertMatrix(MemorySegment in, MemorySegment out, int n) {
        checkLoaded();
        try {
            return (int) INVERT_MATRIX.invokeExact(in, out, n);
        } catch (Throwable t) {
            throw failed("gf_invert_matrix", t);
        }
    }

    static int gfMul(int a, int b) {
        checkLoaded();
        try {
            return (byte) GF_MUL.invokeExact((byte) a, (byte) b) & 0xff;
        } catch (Throwable t) {
            throw failed("gf_mul", t);
        }
    }

    static int gfInv(int a) {
        checkLoaded();
        try {
            return (byte) GF_INV.invokeExact((byte) a) & 0xff;
        } catch (Throwable t) {
            throw failed("gf_inv", t);
        }
    }

    private static void checkLoaded() {
        if (PROBLEM.isPresent()) {
            throw new IllegalStateException("ISA-L is not available: " + PROBLEM.get());
        }
    }

    /** Downcalls throw nothing checked; anything caught is a JVM-level failure, kept as the cause. */
    private static RuntimeException failed(String function, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("ISA-L " + function + " failed", t);
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return linker.downcallHandle(symbol(lib, name), descriptor);
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalArgumentException("symbol " + name + " not found"));
    }
}
