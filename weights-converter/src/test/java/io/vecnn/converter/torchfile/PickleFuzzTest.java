package io.vecnn.converter.torchfile;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.converter.statedict.WeightFormat;
import io.vecnn.converter.testing.FuzzOutcome;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The pickle machine and everything the readers do with what it builds: the persistent ids of the zip and
 * the legacy formats, the globals allow-list, the state-dict extraction (plain dicts, checkpoints, whole
 * modules) and the tensor views. The bytes after the pickle's STOP stand in for the storage data, so view
 * bounds, strides and dtypes are exercised against a block of the fuzzer's choosing.
 */
class PickleFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void zipStorages(byte[] bytes) {
        FuzzOutcome.resultOrTypedError(() -> readStateDict(bytes, new ZipStorageIds(), WeightFormat.ZIP));
    }

    @FuzzTest(maxDuration = "20s")
    void legacyStorages(byte[] bytes) {
        FuzzOutcome.resultOrTypedError(() -> readStateDict(bytes, new LegacyStorageIds(), WeightFormat.LEGACY));
    }

    private static void readStateDict(byte[] bytes, PersistentLoader storageIds, WeightFormat container) {
        PickleInput in = new PickleInput(bytes);
        Object root = PickleVm.load(in, storageIds);
        ByteBuffer trailing = ByteBuffer.wrap(bytes, in.position(), bytes.length - in.position())
                .slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        StateDictExtractor.extract(root).read(container, List.of(), new TrailingBytes(trailing));
    }

    /** Every storage reads the same block: the bytes after the pickle. */
    private record TrailingBytes(ByteBuffer block) implements StorageBytes {
        @Override
        public ByteBuffer block(StorageRef storage) {
            return block.duplicate().order(block.order());
        }

        @Override
        public String describe(StorageRef storage) {
            return "storage '" + storage.key() + "' after the pickle";
        }
    }
}
