package uk.nhs.registry.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * {@code registry_english_possessive}: removes a trailing {@code 's} (also with a right single
 * quotation mark, as in "patient’s"), by Lucene's {@link EnglishPossessiveFilter}. No settings.
 */
@NamedComponent(EnglishPossessiveTokenFilterFactory.NAME)
public final class EnglishPossessiveTokenFilterFactory implements TokenFilterFactory {

    public static final String NAME = "registry_english_possessive";

    public EnglishPossessiveTokenFilterFactory() {
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new EnglishPossessiveFilter(tokenStream);
    }
}
