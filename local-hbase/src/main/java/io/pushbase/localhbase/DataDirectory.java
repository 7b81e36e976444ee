package io.pushbase.localhbase;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The data directory of one local HBase, held exclusively while open: {@code zookeeper/} (the
 * ZooKeeper snapshots and transaction log), {@code hbase/} (the HBase root directory: tables, WALs,
 * the master's procedure store) and {@code tmp/} (HBase's scratch space).
 *
 * <p>Two processes on one directory would corrupt both ZooKeeper and HBase, so {@link #open} takes
 * an OS file lock on {@code local-hbase.lock} and fails at once when another process holds it. The
 * lock is released by {@link #close()} or, whatever happens, by the process ending.
 *
 * <p>Thread-safe; owned by {@link LocalHBase}.
 */
final class DataDirectory implements AutoCloseable {
    static final String LOCK_FILE = "local-hbase.lock";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the directories if missing and locks them.
     *
     * @throws IOException when a directory cannot be created, or another process (or another {@code
     *     DataDirectory} in this JVM) holds the lock
     */
    static DataDirectory open(Path root) throws IOException {
        Files.createDirectories(root);
        FileChannel channel =
                FileChannel.open(
                        root.resolve(LOCK_FILE),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException(
                    "data directory "
                            + root
                            + " is in use by another local HBase (lock "
                            + LOCK_FILE
                            + ")");
        }
        DataDirectory dir = new DataDirectory(root, channel, lock);
        Files.createDirectories(dir.zookeeper());
        Files.createDirectories(dir.tmp());
        return dir;
    }

    Path root() {
        return root;
    }

    Path zookeeper() {
        return root.resolve("zookeeper");
    }

    Path hbaseRoot() {
        return root.resolve("hbase");
    }

    Path tmp() {
        return root.resolve("tmp");
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }
}
