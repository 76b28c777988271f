from django import forms

from registry.models import ProductPage

from .models import NOTE_MAX_LENGTH, Formulary


class AddEntryForm(forms.Form):
    product_name = forms.CharField(
        label="Product name",
        max_length=255,
        help_text="The product's name as the registry lists it.",
        error_messages={"required": "Enter the name of a product listed in the registry."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, which services may use it, or who to ask before ordering.",
        error_messages={"max_length": f"The note must be {NOTE_MAX_LENGTH} characters or fewer."},
    )

    def __init__(self, *args, formulary, **kwargs):
        super().__init__(*args, **kwargs)
        self.formulary = formulary

    def clean(self):
        cleaned = super().clean()
        name = " ".join(cleaned.get("product_name", "").split())
        if not name:
            return cleaned
        product = ProductPage.objects.live().public().filter(title__iexact=name).first()
        if product is None:
            self.add_error(
                "product_name",
                f"No live product is called “{name}”. Check the name on its page in the registry.",
            )
            return cleaned
        if self.formulary.entries.filter(product=product).exists():
            self.add_error("product_name", f"{product.title} is already on your formulary.")
        cleaned["product"] = product
        return cleaned


class IntroductionForm(forms.ModelForm):
    class Meta:
        model = Formulary
        fields = ["introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "introduction": {"max_length": "The introduction must be 1,000 characters or fewer."}
        }
