package uk.nhs.registry.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;

/**
 * {@code registry_asciifolding}: folds accented and other non-ASCII letters to ASCII
 * (Café&rarr;Cafe, Ærø&rarr;AEro) by Lucene's {@link ASCIIFoldingFilter}.
 *
 * <p>Setting {@code preserve_original} (boolean, default false): also keep the unfolded token
 * at the same position.
 *
 * <p>{@link #normalize} folds too, so query_string wildcard and fuzzy terms are folded
 * ("CAFÉ*" finds "Café"). Elasticsearch 8.19 still refuses any stable-plugin filter in a custom
 * normalizer: it does not wrap them as normalizing filters.
 */
@NamedComponent(AsciiFoldingTokenFilterFactory.NAME)
public final class AsciiFoldingTokenFilterFactory implements TokenFilterFactory {

    public static final String NAME = "registry_asciifolding";

    @AnalysisSettings
    public interface Settings {
        @BooleanSetting(path = "preserve_original", defaultValue = false)
        boolean preserveOriginal();
    }

    private final boolean preserveOriginal;

    @Inject
    public AsciiFoldingTokenFilterFactory(Settings settings) {
        this.preserveOriginal = settings.preserveOriginal();
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new ASCIIFoldingFilter(tokenStream, preserveOriginal);
    }

    /** Normalizers and multi-term queries need exactly one folded term per input term. */
    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        return new ASCIIFoldingFilter(tokenStream, false);
    }
}
