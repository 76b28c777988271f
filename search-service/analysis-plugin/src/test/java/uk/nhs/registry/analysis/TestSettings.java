package uk.nhs.registry.analysis;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.IntSetting;
import org.elasticsearch.plugin.settings.ListSetting;
import org.elasticsearch.plugin.settings.LongSetting;
import org.elasticsearch.plugin.settings.StringSetting;

/**
 * A settings interface instance as Elasticsearch builds it (a proxy that answers each
 * annotated method from the component's settings, else the annotation's default), from a map.
 */
final class TestSettings {
    private TestSettings() {
    }

    static <T> T of(Class<T> settingsInterface, Map<String, ?> values) {
        if (settingsInterface.getAnnotation(AnalysisSettings.class) == null) {
            throw new IllegalArgumentException(settingsInterface + " is not annotated with @AnalysisSettings");
        }
        Object proxy = Proxy.newProxyInstance(settingsInterface.getClassLoader(), new Class<?>[] { settingsInterface },
            (p, method, args) -> answer(method, values));
        return settingsInterface.cast(proxy);
    }

    static <T> T defaults(Class<T> settingsInterface) {
        return of(settingsInterface, Map.of());
    }

    private static Object answer(Method method, Map<String, ?> values) {
        Annotation[] annotations = method.getAnnotations();
        if (annotations.length != 1) {
            throw new AssertionError(method + " must carry exactly one setting annotation, as Elasticsearch asserts");
        }
        Annotation a = annotations[0];
        if (a instanceof IntSetting s) {
            return values.containsKey(s.path()) ? values.get(s.path()) : s.defaultValue();
        } else if (a instanceof LongSetting s) {
            return values.containsKey(s.path()) ? values.get(s.path()) : s.defaultValue();
        } else if (a instanceof BooleanSetting s) {
            return values.containsKey(s.path()) ? values.get(s.path()) : s.defaultValue();
        } else if (a instanceof StringSetting s) {
            return values.containsKey(s.path()) ? values.get(s.path()) : s.defaultValue();
        } else if (a instanceof ListSetting s) {
            return values.containsKey(s.path()) ? values.get(s.path()) : List.of();
        }
        throw new AssertionError("unsupported setting annotation " + a + " on " + method);
    }
}
