package io.omnipaxos.storage.persistent;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Turns a class path into one of jar files only, as a class-data archive requires. */
final class ClassPathJars {

    private ClassPathJars() {
    }

    /**
     * Returns {@code classPath} with every folder replaced by a jar of its contents written to
     * {@code jarDir}; jar entries are kept as they are.
     */
    static String packFolders(String classPath, Path jarDir) throws IOException {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                Path jar = jarDir.resolve("folder-" + n++ + ".jar");
                pack(path, jar);
                out.add(jar.toString());
            } else if (!entry.isEmpty()) {
                out.add(entry);
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static void pack(Path folder, Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                out.putNextEntry(new JarEntry(folder.relativize(p).toString().replace(File.separatorChar, '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
    }
}
