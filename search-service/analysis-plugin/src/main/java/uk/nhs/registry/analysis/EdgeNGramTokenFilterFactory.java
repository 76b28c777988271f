package uk.nhs.registry.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.IntSetting;

/**
 * {@code registry_edge_ngram}: the leading prefixes of each token, for autocomplete
 * ("ward" &rarr; w, wa, war, ward), by Lucene's {@link EdgeNGramTokenFilter}.
 *
 * <p>Settings: {@code min_gram} (int, default 1), {@code max_gram} (int, default 2, as
 * Elasticsearch's own edge_ngram), {@code preserve_original} (boolean, default false: also
 * emit a token that is longer than max_gram whole). Meant for an index-time analyzer only.
 */
@NamedComponent(EdgeNGramTokenFilterFactory.NAME)
public final class EdgeNGramTokenFilterFactory implements TokenFilterFactory {

    public static final String NAME = "registry_edge_ngram";

    @AnalysisSettings
    public interface Settings {
        @IntSetting(path = "min_gram", defaultValue = 1)
        int minGram();

        @IntSetting(path = "max_gram", defaultValue = 2)
        int maxGram();

        @BooleanSetting(path = "preserve_original", defaultValue = false)
        boolean preserveOriginal();
    }

    private final int minGram;
    private final int maxGram;
    private final boolean preserveOriginal;

    @Inject
    public EdgeNGramTokenFilterFactory(Settings settings) {
        this.minGram = settings.minGram();
        this.maxGram = settings.maxGram();
        this.preserveOriginal = settings.preserveOriginal();
        if (minGram < 1) {
            throw new IllegalArgumentException("[" + NAME + "] min_gram must be at least 1, got [" + minGram + "]");
        }
        if (maxGram < minGram) {
            throw new IllegalArgumentException(
                "[" + NAME + "] max_gram [" + maxGram + "] must not be less than min_gram [" + minGram + "]");
        }
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new EdgeNGramTokenFilter(tokenStream, minGram, maxGram, preserveOriginal);
    }
}
