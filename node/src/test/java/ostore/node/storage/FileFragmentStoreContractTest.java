package ostore.node.storage;

import java.io.IOException;
import java.nio.file.Path;
import ostore.archive.store.FileFragmentStore;
import ostore.archive.store.FragmentStore;

/** The contract on the local store a storage node serves: the baseline the remote store must match. */
class FileFragmentStoreContractTest extends FragmentStoreContract {
    @Override
    FragmentStore open(Path dir) throws IOException {
        return FileFragmentStore.open(dir);
    }
}
