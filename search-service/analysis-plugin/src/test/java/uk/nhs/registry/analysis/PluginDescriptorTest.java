package uk.nhs.registry.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.elasticsearch.plugin.Extensible;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.CharFilterFactory;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.junit.jupiter.api.Test;

/** The hand-written plugin files agree with the code and with what Elasticsearch 8.19 accepts. */
class PluginDescriptorTest {

    static final List<Class<?>> COMPONENTS = List.of(
        EnglishStemmerTokenFilterFactory.class,
        EnglishPossessiveTokenFilterFactory.class,
        AsciiFoldingTokenFilterFactory.class,
        SynonymGraphTokenFilterFactory.class,
        EdgeNGramTokenFilterFactory.class,
        AmpersandCharFilterFactory.class);

    private static Path pluginDir() {
        return Path.of(System.getProperty("plugin.descriptor.dir", "src/main/plugin"));
    }

    /** named_components.json as {extensible interface: {name: class}}; the file is flat enough for a regex. */
    private static Map<String, Map<String, String>> namedComponents() throws IOException {
        String json = Files.readString(pluginDir().resolve("named_components.json"), StandardCharsets.UTF_8);
        Map<String, Map<String, String>> result = new TreeMap<>();
        Matcher block = Pattern.compile("\"([\\w.]+)\"\\s*:\\s*\\{([^{}]*)\\}").matcher(json);
        while (block.find()) {
            Map<String, String> names = new TreeMap<>();
            Matcher entry = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]+)\"").matcher(block.group(2));
            while (entry.find()) {
                names.put(entry.group(1), entry.group(2));
            }
            result.put(block.group(1), names);
        }
        return result;
    }

    @Test
    void namedComponentsFileListsExactlyTheAnnotatedClasses() throws IOException {
        Map<String, Map<String, String>> expected = new TreeMap<>();
        for (Class<?> c : COMPONENTS) {
            NamedComponent named = c.getAnnotation(NamedComponent.class);
            assertNotNull(named, c + " lacks @NamedComponent");
            Class<?> extensible = TokenFilterFactory.class.isAssignableFrom(c) ? TokenFilterFactory.class : CharFilterFactory.class;
            assertNotNull(extensible.getAnnotation(Extensible.class));
            expected.computeIfAbsent(extensible.getName(), k -> new TreeMap<>()).put(named.value(), c.getName());
        }
        assertEquals(expected, namedComponents());
    }

    @Test
    void componentsAreConstructibleTheWayElasticsearchDoes() throws Exception {
        for (Class<?> c : COMPONENTS) {
            Constructor<?>[] constructors = c.getConstructors();
            assertEquals(1, constructors.length, c + ": Elasticsearch requires exactly one public constructor");
            Constructor<?> constructor = constructors[0];
            Object[] args = new Object[constructor.getParameterCount()];
            if (args.length > 0) {
                assertNotNull(constructor.getAnnotation(Inject.class), c + ": a constructor with parameters needs @Inject");
            }
            for (int i = 0; i < args.length; i++) {
                Class<?> p = constructor.getParameterTypes()[i];
                assertTrue(p.isInterface() && p.getAnnotation(AnalysisSettings.class) != null, c + ": parameter " + p);
                for (Method m : p.getMethods()) {
                    assertEquals(1, m.getAnnotations().length, m + " needs exactly one setting annotation");
                }
                args[i] = TestSettings.defaults(p);
            }
            Object instance = constructor.newInstance(args);
            String name = (String) c.getMethod("name").invoke(instance);
            assertEquals(c.getAnnotation(NamedComponent.class).value(), name);
            assertTrue(name.startsWith("registry_"), name);
        }
    }

    @Test
    void stableDescriptorHasOnlyTheKeysElasticsearchAccepts() throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(pluginDir().resolve("stable-plugin-descriptor.properties"), StandardCharsets.ISO_8859_1)) {
            props.load(r);
        }
        // PluginDescriptor.readerStableDescriptor reads these (plus optional "modular") and rejects any other.
        assertEquals(Set.of("name", "description", "version", "elasticsearch.version", "java.version"), props.stringPropertyNames());
        assertEquals("${plugin.name}", props.getProperty("name"));
        assertEquals("${elasticsearch.version}", props.getProperty("elasticsearch.version"));
    }
}
