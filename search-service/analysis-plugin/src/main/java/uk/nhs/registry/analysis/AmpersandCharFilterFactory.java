package uk.nhs.registry.analysis;

import java.io.Reader;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.CharFilterFactory;

/**
 * {@code registry_ampersand}: joins the word characters around an ampersand with "and", so
 * "A&amp;E", "A &amp; E" and "a&amp;e" all become one token ("AandE", lower-cased later to
 * "aande") and "R&amp;D" becomes "RandD". Chains work too: "A&amp;B&amp;C" becomes "AandBandC".
 * An ampersand without a word character on both sides is left alone. No settings.
 *
 * <p>Lucene's {@link PatternReplaceCharFilter} with {@code (\w)\s*&\s*(?=\w)} &rarr;
 * {@code $1and}; it corrects offsets, so highlighting still points at the original text.
 */
@NamedComponent(AmpersandCharFilterFactory.NAME)
public final class AmpersandCharFilterFactory implements CharFilterFactory {

    public static final String NAME = "registry_ampersand";

    static final Pattern PATTERN = Pattern.compile("(\\w)\\s*&\\s*(?=\\w)");
    static final String REPLACEMENT = "$1and";

    public AmpersandCharFilterFactory() {
    }

    @Override
    public Reader create(Reader reader) {
        return new PatternReplaceCharFilter(PATTERN, REPLACEMENT, reader);
    }
}
