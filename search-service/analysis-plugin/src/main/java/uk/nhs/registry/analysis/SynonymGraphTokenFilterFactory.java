package uk.nhs.registry.analysis;

import java.io.IOException;
import java.io.StringReader;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalysisMode;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;
import org.elasticsearch.plugin.settings.StringSetting;

/**
 * {@code registry_synonym_graph}: search-time synonyms, single- and multi-word, by Lucene's
 * {@link SolrSynonymParser} and {@link SynonymGraphFilter} (ignoreCase true). The graph it
 * emits lets a match query for "did not attend" also find "DNA" and the other way round.
 *
 * <p>Settings:
 * <ul>
 * <li>{@code synonyms} (list of strings, default empty): Solr-format rules, one per element:
 *     {@code a, b, c} (equivalent) or {@code a, b => c} (rewrite one way); {@code #} starts a
 *     comment. Each side is analysed with the standard tokenizer and lower case (then the
 *     {@code rule_stemmer}, if set) only, so write terms as the text reaches this filter: folded
 *     ("cafe"), with "&amp;" already joined ("aande" for A&amp;E).</li>
 * <li>{@code lenient} (boolean, default false): skip rules that do not parse instead of failing
 *     the index.</li>
 * <li>{@code expand} (boolean, default true): {@code a, b, c} maps each term to all others; when
 *     false, all map to the first.</li>
 * <li>{@code rule_stemmer} (string, default {@code none}; or {@code kstem},
 *     {@code kstem_minimal}, {@code porter}, {@code minimal}): also stem the rules' words with this algorithm of
 *     {@code registry_english_stemmer}. Use it when that stemmer runs <em>before</em> this filter
 *     with the same algorithm, so that "electronic patient records" (stemmed to "... record")
 *     still matches the rule "epr, electronic patient record", and what the rules emit is
 *     stemmed like the index.</li>
 * </ul>
 *
 * <p>A synonym graph must not be indexed (positions would be wrong), so this filter reports
 * {@link AnalysisMode#SEARCH_TIME}: Elasticsearch accepts it in a {@code search_analyzer} and
 * refuses a mapping that uses it in an index-time {@code analyzer}.
 */
@NamedComponent(SynonymGraphTokenFilterFactory.NAME)
public final class SynonymGraphTokenFilterFactory implements TokenFilterFactory {

    public static final String NAME = "registry_synonym_graph";

    @AnalysisSettings
    public interface Settings {
        @ListSetting(path = "synonyms")
        List<String> synonyms();

        @BooleanSetting(path = "lenient", defaultValue = false)
        boolean lenient();

        @BooleanSetting(path = "expand", defaultValue = true)
        boolean expand();

        @StringSetting(path = "rule_stemmer", defaultValue = "none")
        String ruleStemmer();
    }

    private final SynonymMap synonymMap; // null when there are no rules: the filter passes tokens through
    private final List<String> skippedRules;

    @Inject
    public SynonymGraphTokenFilterFactory(Settings settings) {
        List<String> rules = new ArrayList<>();
        for (String element : settings.synonyms()) {
            for (String line : element.split("\\R")) {
                if (line.isBlank() == false) {
                    rules.add(line);
                }
            }
        }
        List<String> skipped = new ArrayList<>();
        EnglishStemmerTokenFilterFactory.Algorithm stemmer = parseRuleStemmer(settings.ruleStemmer());
        try (Analyzer analyzer = ruleAnalyzer(stemmer)) {
            List<String> accepted = rules;
            if (settings.lenient()) {
                accepted = new ArrayList<>();
                for (String rule : rules) {
                    try {
                        parse(List.of(rule), settings.expand(), analyzer);
                        accepted.add(rule);
                    } catch (IOException | ParseException | RuntimeException e) {
                        skipped.add(rule);
                    }
                }
            }
            try {
                this.synonymMap = parse(accepted, settings.expand(), analyzer);
            } catch (IOException | ParseException | RuntimeException e) {
                throw new IllegalArgumentException("[" + NAME + "] failed to parse synonyms: " + describe(e, accepted, settings.expand(), analyzer), e);
            }
        }
        this.skippedRules = Collections.unmodifiableList(skipped);
    }

    /** The rules left out because they did not parse (only when lenient). */
    public List<String> skippedRules() {
        return skippedRules;
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return synonymMap == null ? tokenStream : new SynonymGraphFilter(tokenStream, synonymMap, true);
    }

    @Override
    public AnalysisMode getAnalysisMode() {
        return AnalysisMode.SEARCH_TIME;
    }

    private static EnglishStemmerTokenFilterFactory.Algorithm parseRuleStemmer(String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("none")) {
            return null;
        }
        try {
            return EnglishStemmerTokenFilterFactory.Algorithm.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "[" + NAME + "] unknown rule_stemmer [" + value + "]: expected one of none, kstem, kstem_minimal, porter, minimal", e);
        }
    }

    /** How the terms of a rule are split into words: standard tokenizer, lower case, then the stemmer if any. */
    static Analyzer ruleAnalyzer(EnglishStemmerTokenFilterFactory.Algorithm stemmer) {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new StandardTokenizer();
                TokenStream stream = new LowerCaseFilter(tokenizer);
                if (stemmer != null) {
                    stream = stemmer.wrap(stream);
                }
                return new TokenStreamComponents(tokenizer, stream);
            }
        };
    }

    private static SynonymMap parse(List<String> rules, boolean expand, Analyzer analyzer) throws IOException, ParseException {
        if (rules.isEmpty()) {
            return null;
        }
        SolrSynonymParser parser = new SolrSynonymParser(true, expand, analyzer);
        parser.parse(new StringReader(String.join("\n", rules)));
        SynonymMap map = parser.build();
        return map.fst == null ? null : map;
    }

    /** The parser's message, and the first rule that fails on its own (the parser names only a line number). */
    private static String describe(Exception e, List<String> rules, boolean expand, Analyzer analyzer) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            message += ": " + cause.getMessage();
        }
        for (String rule : rules) {
            try {
                parse(List.of(rule), expand, analyzer);
            } catch (IOException | ParseException | RuntimeException ruleFailure) {
                return message + " (rule [" + rule + "]; set lenient to skip rules that do not parse)";
            }
        }
        return message;
    }
}
