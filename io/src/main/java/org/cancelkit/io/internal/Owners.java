package org.cancelkit.io.internal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Owner and group of a replaced file, kept where the process may. */
final class Owners {
    private Owners() {}

    /**
     * Gives a temporary file the replaced file's owner and group where the process may
     * (as rsync and install do): root may give it away; any user may choose a group it belongs to.
     * Where the process may not, the file keeps the process's user (and group), with the replaced file's
     * permissions. Done after the content is written (a file given away earlier could be changed by its
     * new owner while this process still writes it) and before the file sync, which makes the owner
     * durable with the content.
     *
     * @param fs the file system
     * @param temp the temporary file
     * @param wanted the replaced file's owner and group, or null for a new file
     * @throws IOException when the owner cannot be read, or the temporary file is gone
     */
    static void keep(FileOps fs, Path temp, FileOps.@Nullable Owner wanted) throws IOException {
        if (wanted == null) {
            return;
        }
        FileOps.Owner mine = fs.owner(temp);
        if (mine == null || mine.equals(wanted)) {
            return;
        }
        boolean otherUser = !mine.user().equals(wanted.user());
        boolean otherGroup = !mine.group().equals(wanted.group());
        try {
            fs.setOwner(temp, otherUser ? wanted.user() : null, otherGroup ? wanted.group() : null);
        } catch (NoSuchFileException e) {
            throw e; // the temporary file is gone: not a question of permission
        } catch (FileSystemException notPermitted) {
            // EPERM: not root (or root without CAP_CHOWN, as on NFS with root_squash). The group alone is
            // still ours to choose when the process belongs to it.
            if (otherUser && otherGroup) {
                try {
                    fs.setOwner(temp, null, wanted.group());
                } catch (NoSuchFileException e) {
                    throw e;
                } catch (FileSystemException notAMember) {
                    // the process's group stays, as documented
                }
            }
        }
    }
}
