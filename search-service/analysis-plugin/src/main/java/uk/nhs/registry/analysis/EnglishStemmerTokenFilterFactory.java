package uk.nhs.registry.analysis;

import java.util.Locale;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.StringSetting;

/**
 * {@code registry_english_stemmer}: English stemming by one of Lucene's stemmers.
 *
 * <p>Setting {@code algorithm}:
 * <ul>
 * <li>{@code kstem} (default): Lucene {@link KStemFilter}, a light dictionary-backed stemmer:
 *     wards&rarr;ward, monitoring&rarr;monitor, diabetes stays diabetes; but the plurals its
 *     dictionary lists as words of their own stay as they are (appointments, boards, letters,
 *     observations) and so do acronyms (gps, icbs).</li>
 * <li>{@code kstem_minimal}: {@link KStemFilter} then {@link EnglishMinimalStemFilter}, which
 *     takes the plural "s" off what KStem kept: appointments&rarr;appointment, gps&rarr;gp; the
 *     price is odd but consistent stems such as diabetes&rarr;diabete, news&rarr;new.</li>
 * <li>{@code porter}: {@link PorterStemFilter}, aggressive: diabetes&rarr;diabet,
 *     general&rarr;gener.</li>
 * <li>{@code minimal}: {@link EnglishMinimalStemFilter} alone, plurals only.</li>
 * </ul>
 * Tokens marked as keywords are left alone. Input must already be lower case.
 */
@NamedComponent(EnglishStemmerTokenFilterFactory.NAME)
public final class EnglishStemmerTokenFilterFactory implements TokenFilterFactory {

    public static final String NAME = "registry_english_stemmer";

    /** The stemmers on offer, by their setting value. */
    public enum Algorithm {
        KSTEM {
            @Override
            TokenStream wrap(TokenStream in) {
                return new KStemFilter(in);
            }
        },
        /** KStem, then the minimal plural stemmer for the plurals KStem keeps (appointments, GPs). */
        KSTEM_MINIMAL {
            @Override
            TokenStream wrap(TokenStream in) {
                return new EnglishMinimalStemFilter(new KStemFilter(in));
            }
        },
        PORTER {
            @Override
            TokenStream wrap(TokenStream in) {
                return new PorterStemFilter(in);
            }
        },
        MINIMAL {
            @Override
            TokenStream wrap(TokenStream in) {
                return new EnglishMinimalStemFilter(in);
            }
        };

        abstract TokenStream wrap(TokenStream in);

        static Algorithm parse(String value) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            for (Algorithm a : values()) {
                if (a.name().toLowerCase(Locale.ROOT).equals(v)) {
                    return a;
                }
            }
            throw new IllegalArgumentException(
                "[" + NAME + "] unknown algorithm [" + value + "]: expected one of kstem, kstem_minimal, porter, minimal");
        }
    }

    @AnalysisSettings
    public interface Settings {
        @StringSetting(path = "algorithm", defaultValue = "kstem")
        String algorithm();
    }

    private final Algorithm algorithm;

    @Inject
    public EnglishStemmerTokenFilterFactory(Settings settings) {
        this.algorithm = Algorithm.parse(settings.algorithm());
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return algorithm.wrap(tokenStream);
    }
}
